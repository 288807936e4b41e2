from django.urls import path

from appeals import views_case

app_name = "cases"
urlpatterns = [
    path("<int:pk>/answers/<int:answer>/letter/", views_case.answer_letter_view, name="answer_letter"),
    path("<int:pk>/forwardings/<int:forwarding>/letter/", views_case.cover_letter_view, name="cover_letter"),
    path("<int:pk>/<slug:name>/", views_case.action, name="action"),
]
