from django.urls import path

from commission import views_staff as v

app_name = "commission"
urlpatterns = [
    path("", v.home, name="home"),
    path("order/new/", v.order_new, name="order_new"),
    path("order/<int:pk>/scan/", v.order_scan, name="order_scan"),
    path("members/new/", v.member_new, name="member_new"),
    path("members/from-accounts/", v.members_from_accounts, name="members_from_accounts"),
    path("members/<int:pk>/", v.member_edit, name="member_edit"),
    path("members/<int:pk>/end/", v.member_end, name="member_end"),
    path("meetings/", v.meetings, name="meetings"),
    path("meetings/new/", v.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", v.meeting, name="meeting"),
    path("meetings/<int:pk>/edit/", v.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/items/new/", v.item_new, name="item_new"),
    path("meetings/<int:pk>/items/<int:item>/", v.item_edit, name="item_edit"),
    path("meetings/<int:pk>/items/<int:item>/delete/", v.item_delete, name="item_delete"),
    path("meetings/<int:pk>/election/", v.election, name="election"),
    path("meetings/<int:pk>/circulate/", v.meeting_circulate, name="meeting_circulate"),
    path("meetings/<int:pk>/reopen/", v.meeting_reopen, name="meeting_reopen"),
    path("meetings/<int:pk>/confirm/", v.meeting_confirm, name="meeting_confirm"),
    path("meetings/<int:pk>/paper-signature/", v.meeting_paper_sign, name="meeting_paper_sign"),
    path("meetings/<int:pk>/protocol.pdf", v.protocol_pdf, name="protocol_pdf"),
    path("meetings/<int:pk>/protocol.docx", v.protocol_docx, name="protocol_docx"),
]
