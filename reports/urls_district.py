from django.urls import path

from reports import analysis_views, views_district
from reports import views_staff as v

app_name = "reports_district"
urlpatterns = [
    path("", v.district_dashboard, name="dashboard"),
    path("export/", v.district_export, name="export"),
    path("schools/", views_district.district_schools, name="schools"),
    path("analysis/", analysis_views.district_analysis_page, name="analysis"),
    path("analysis/report.pdf", analysis_views.district_analysis_document, {"fmt": "pdf"}, name="analysis_pdf"),
    path("analysis/report.docx", analysis_views.district_analysis_document, {"fmt": "docx"}, name="analysis_docx"),
    path("urgent/", views_district.district_urgent, name="urgent"),
    path("urgent/<int:pk>/acknowledge/", views_district.district_urgent_acknowledge, name="urgent_acknowledge"),
    path(
        "schools/quarterly/<int:pk>/report.pdf",
        views_district.district_report_document,
        {"fmt": "pdf"},
        name="report_pdf",
    ),
    path(
        "schools/quarterly/<int:pk>/report.docx",
        views_district.district_report_document,
        {"fmt": "docx"},
        name="report_docx",
    ),
]
