from django.urls import path

from reports import views_staff as v

app_name = "reports_district"
urlpatterns = [
    path("", v.district_dashboard, name="dashboard"),
    path("export/", v.district_export, name="export"),
]
