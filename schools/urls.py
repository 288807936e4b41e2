from django.urls import path

from schools import views_setup as setup
from schools import views_staff

app_name = "schools"
urlpatterns = [
    path("", views_staff.home, name="home"),
    path("work/", views_staff.work, name="work"),
    path("welcome/", setup.welcome, name="welcome"),
    path("welcome/recovery-sheet/", setup.recovery_sheet, name="recovery_sheet"),
    path("setup/", setup.setup, name="setup"),
    path("setup/template.xlsx", setup.template_xlsx, name="template_xlsx"),
    path("setup/template-schools.csv", setup.template_schools_csv, name="template_schools_csv"),
    path("setup/template-staff.csv", setup.template_staff_csv, name="template_staff_csv"),
    path("setup/districts/new/", setup.district_new, name="setup_district_new"),
    path("setup/districts/<slug:district>/", setup.district, name="setup_district"),
    path("setup/districts/<slug:district>/officers/", setup.officer_add_view, name="setup_officer_add"),
    path("setup/districts/<slug:district>/schools/new/", setup.school_new, name="setup_school_new"),
    path("setup/districts/<slug:district>/import/", setup.district_import, name="setup_import"),
    path("setup/schools/<slug:school>/", setup.school_edit, name="setup_school"),
    path("<slug:school>/", views_staff.school, name="school"),
    path("<slug:school>/settings/", views_staff.settings, name="settings"),
    path("<slug:school>/staff/", setup.staff, name="staff"),
    path("<slug:school>/staff/memberships/<int:membership>/end/", setup.membership_end_view, name="membership_end"),
    path("<slug:school>/staff/memberships/<int:membership>/invite/", setup.membership_invite, name="membership_invite"),
]
