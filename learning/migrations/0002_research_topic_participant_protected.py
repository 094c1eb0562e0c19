"""ResearchTopic.participants gets an explicit through model that PROTECTs members.

Only Django's idea of the schema changes: the model keeps the automatic M2M
table's name, columns and unique constraint (unique_together names it the same
way), so the database and its rows are left exactly as they are.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0003_audit_events'),
        ('learning', '0001_initial'),
    ]

    state_operations = [
        migrations.CreateModel(
            name='ResearchTopicParticipant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('member', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='topic_participations', to='campaigns.member', verbose_name='Party member')),
                ('topic', models.ForeignKey(db_column='researchtopic_id', on_delete=django.db.models.deletion.CASCADE, related_name='participations', to='learning.researchtopic', verbose_name='research topic')),
            ],
            options={
                'verbose_name': 'participant',
                'verbose_name_plural': 'participants',
                'db_table': 'learning_researchtopic_participants',
                'unique_together': {('topic', 'member')},
            },
        ),
        migrations.AlterField(
            model_name='researchtopic',
            name='participants',
            field=models.ManyToManyField(blank=True, related_name='research_topics', through='learning.ResearchTopicParticipant', to='campaigns.member', verbose_name='participants'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations, database_operations=[]),
    ]
