from django.urls import path

from journal import views_staff

app_name = "journal"
urlpatterns = [
    path("", views_staff.journal, name="page"),
    path("verify/", views_staff.verify, name="verify"),
    path("journal.pdf", views_staff.pdf, name="pdf"),
    path("journal.xlsx", views_staff.xlsx, name="xlsx"),
]
