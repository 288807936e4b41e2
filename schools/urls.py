from django.urls import path

from schools import views_staff

app_name = "schools"
urlpatterns = [
    path("", views_staff.home, name="home"),
    path("<slug:school>/", views_staff.school, name="school"),
    path("<slug:school>/settings/", views_staff.settings, name="settings"),
]
