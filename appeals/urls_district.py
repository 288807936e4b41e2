"""A district office's inbox: the appeals sent to it instead of a school (about a school's leadership)."""

from django.urls import path

from appeals import views_case

app_name = "district"
urlpatterns = [
    path("appeals/", views_case.district_inbox, name="inbox"),
]
