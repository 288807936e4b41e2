from django.urls import path

from appeals import views_public

app_name = "appeals_public"
urlpatterns = [
    path("", views_public.box, name="box"),
    path("write/", views_public.write, name="write"),
    path("receipt/", views_public.receipt, name="receipt"),
    path("receipt.pdf", views_public.receipt_pdf, name="receipt_pdf"),
    path("follow/", views_public.follow, name="follow"),
    path("follow/message/", views_public.follow_message, name="follow_message"),
    path("follow/solved/", views_public.follow_solved, name="follow_solved"),
    path("follow/district/", views_public.follow_district, name="follow_district"),
    path("follow/leave/", views_public.follow_leave, name="follow_leave"),
    path("embed/", views_public.embed, name="embed"),
    path("website/", views_public.website, name="website"),
    path("poster.pdf", views_public.poster, name="poster"),
]
