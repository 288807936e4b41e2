from django.urls import path

from audit import views_staff

app_name = "audit"
urlpatterns = [
    path("<slug:school>/audit/", views_staff.school_trail, name="school_trail"),
    path("<slug:school>/audit/verify/", views_staff.school_verify, name="school_verify"),
    path("districts/<slug:district>/audit/", views_staff.district_trail, name="district_trail"),
    path("districts/<slug:district>/audit/verify/", views_staff.district_verify, name="district_verify"),
]
