from journal import views_staff
from schools.offices import office_paths

app_name = "journal"
urlpatterns = [
    *office_paths("journal/", views_staff.journal, "page"),
    *office_paths("journal/verify/", views_staff.verify, "verify"),
    *office_paths("journal/journal.pdf", views_staff.pdf, "pdf"),
    *office_paths("journal/journal.xlsx", views_staff.xlsx, "xlsx"),
]
