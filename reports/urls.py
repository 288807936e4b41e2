from django.urls import path

from reports import views_actions
from reports import views_staff as v

app_name = "reports"
urlpatterns = [
    path("", v.dashboard, name="dashboard"),
    path("language/", v.language, name="language"),
    path("weekly/", v.weekly_list, name="weekly_list"),
    path("weekly/<int:pk>/", v.weekly_detail, name="weekly_detail"),
    path("quarterly/", v.report_list, name="report_list"),
    path("quarterly/<int:pk>/", v.report, name="report"),
    path("quarterly/<int:pk>/write/", v.report_write, name="report_write"),
    path("quarterly/<int:pk>/agenda/", v.report_agenda, name="report_agenda"),
    path("quarterly/<int:pk>/finalise/", v.report_finalise, name="report_finalise"),
    path("quarterly/<int:pk>/subjects/", v.report_subjects, name="report_subjects"),
    path("quarterly/<int:pk>/report.pdf", v.report_document, {"fmt": "pdf"}, name="report_pdf"),
    path("quarterly/<int:pk>/report.docx", v.report_document, {"fmt": "docx"}, name="report_docx"),
    path("actions/", views_actions.action_list, name="actions"),
    path("actions/<int:pk>/", views_actions.action_detail, name="action"),
    path("compliance/", v.compliance_page, name="compliance"),
    path("compliance/attest/", v.compliance_attest, name="compliance_attest"),
    path("export/statistics/", v.export_statistics, name="export_statistics"),
    path("export/journal/", v.export_journal, name="export_journal"),
]
