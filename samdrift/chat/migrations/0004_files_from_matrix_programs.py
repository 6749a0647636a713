# Files sent from Matrix programs, kept as workspace documents (ADR 0663).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('chat', '0003_sso_grants'),
        ('collaboration', '0009_webdav_locks'),
        ('files', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChatFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('room_id', models.CharField(max_length=255)),
                ('event_id', models.CharField(max_length=255, unique=True)),
                ('mxc', models.CharField(max_length=1000)),
                ('name', models.CharField(max_length=1000)),
                ('state', models.CharField(choices=[('queued', 'queued'), ('working', 'being kept'), ('kept', 'kept as a document'), ('refused', 'refused')], default='queued', max_length=8)),
                ('version', models.PositiveIntegerField(blank=True, null=True)),
                ('sha256', models.CharField(blank=True, max_length=64)),
                ('size', models.PositiveBigIntegerField(blank=True, null=True)),
                ('content_type', models.CharField(blank=True, max_length=150)),
                ('reason_code', models.CharField(blank=True, max_length=64)),
                ('reason', models.TextField(blank=True)),
                ('notice_event_id', models.CharField(blank=True, max_length=255)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('handled_at', models.DateTimeField(blank=True, null=True)),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='collaboration.document')),
                ('sender', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('workspace', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='collaboration.workspace')),
            ],
            options={
                'ordering': ['id'],
                'indexes': [models.Index(fields=['workspace', 'state'], name='chat_file_workspace_state')],
            },
        ),
        migrations.CreateModel(
            name='ChatArchiveFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('event_id', models.CharField(max_length=255)),
                ('name', models.CharField(max_length=1000)),
                ('archive', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='files', to='chat.chatarchive')),
                ('file', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='files.storedfile')),
            ],
            options={
                'ordering': ['archive_id', 'id'],
            },
        ),
    ]
