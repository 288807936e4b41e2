"""A district office's own pages: the appeals sent to it instead of a school, and its journal."""

from django.urls import path

from appeals import views_case
from journal import views_staff

app_name = "district"
urlpatterns = [
    path("appeals/", views_case.district_inbox, name="inbox"),
    path("journal/", views_staff.district_journal, name="journal"),
    path("journal/verify/", views_staff.district_verify, name="journal_verify"),
    path("journal/journal.pdf", views_staff.district_pdf, name="journal_pdf"),
    path("journal/journal.xlsx", views_staff.district_xlsx, name="journal_xlsx"),
]
