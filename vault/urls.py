from django.urls import path

from vault import views_staff as v

app_name = "vault"
urlpatterns = [
    path("<slug:school>/keys/", v.school_keys, name="school_keys"),
    path("<slug:school>/keys/grant/", v.school_grant, name="school_grant"),
    path("<slug:school>/keys/revoke/", v.school_revoke, name="school_revoke"),
    path("<slug:school>/keys/rotate/", v.school_rotate, name="school_rotate"),
    path("<slug:school>/keys/recovery/", v.school_recovery_new, name="school_recovery_new"),
    path("<slug:school>/keys/recovery/sheet.pdf", v.school_recovery_pdf, name="school_recovery_pdf"),
    path("<slug:school>/keys/recover/", v.school_recover, name="school_recover"),
    path("districts/<slug:district>/keys/", v.district_keys, name="district_keys"),
    path("districts/<slug:district>/keys/grant/", v.district_grant, name="district_grant"),
    path("districts/<slug:district>/keys/revoke/", v.district_revoke, name="district_revoke"),
    path("districts/<slug:district>/keys/rotate/", v.district_rotate, name="district_rotate"),
    path("districts/<slug:district>/keys/recovery/", v.district_recovery_new, name="district_recovery_new"),
    path("districts/<slug:district>/keys/recovery/sheet.pdf", v.district_recovery_pdf, name="district_recovery_pdf"),
    path("districts/<slug:district>/keys/recover/", v.district_recover, name="district_recover"),
]
