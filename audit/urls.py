from audit import views_staff
from schools.offices import office_paths

app_name = "audit"
urlpatterns = [
    *office_paths("audit/", views_staff.trail, name="trail"),
    *office_paths("audit/verify/", views_staff.verify, name="verify"),
]
