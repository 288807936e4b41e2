from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("channels/", views.channels, name="channels"),
    path("channels/telegram-code/", views.telegram_code, name="telegram_code"),
    path("channels/whatsapp-code/", views.whatsapp_code, name="whatsapp_code"),
    path("channels/whatsapp-verify/", views.whatsapp_verify, name="whatsapp_verify"),
    path("channels/test/", views.test_message, name="test"),
    path("failures/", views.all_failures, name="failures_all"),
    path("failures/<slug:school>/", views.school_failures, name="failures"),
    path("telegram/<str:secret>/", views.telegram_webhook, name="telegram_webhook"),
]
