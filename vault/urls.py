from schools.offices import office_paths
from vault import views_staff as v

app_name = "vault"
urlpatterns = [
    *office_paths("keys/", v.keys, "keys"),
    *office_paths("keys/grant/", v.grant, "grant"),
    *office_paths("keys/revoke/", v.revoke, "revoke"),
    *office_paths("keys/rotate/", v.rotate, "rotate"),
    *office_paths("keys/recovery/", v.recovery_new, "recovery_new"),
    *office_paths("keys/recovery/sheet.pdf", v.recovery_pdf, "recovery_pdf"),
    *office_paths("keys/recover/", v.recover, "recover"),
]
