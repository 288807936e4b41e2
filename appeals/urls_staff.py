from django.urls import path

from appeals import views_staff

app_name = "appeals"
urlpatterns = [
    path("", views_staff.inbox, name="inbox"),
    path("assign/", views_staff.inbox_assign, name="inbox_assign"),
    path("<int:pk>/", views_staff.detail, name="detail"),
    path("<int:pk>/reply/", views_staff.reply, name="reply"),
    path("<int:pk>/files/<int:file>/", views_staff.attachment, name="attachment"),
    path("urgent-words/", views_staff.urgent_words, name="urgent_words"),
]
