from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.my_rooms, name="mine"),
    path("workspace/<int:workspace_id>/", views.workspace_rooms, name="workspace"),
    path("<int:room_id>/", views.room, name="room"),
    path("<int:room_id>/broadcast/index.m3u8", views.broadcast_playlist, name="broadcast"),
    path("<int:room_id>/broadcast/<str:name>", views.broadcast_segment, name="broadcast_segment"),
]
