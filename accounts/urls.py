from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("login/two-factor/", views.login_enrol, name="login_enrol"),
    path("logout/", views.logout, name="logout"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("", views.account, name="account"),
    path("password/", views.password_change, name="password_change"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/off/", views.two_factor_off, name="two_factor_off"),
    path("two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path("sessions/<int:record>/logout/", views.session_logout, name="session_logout"),
    path("sessions/logout/", views.logout_everywhere, name="logout_everywhere"),
]
