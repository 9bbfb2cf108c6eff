"""Atom feeds of the public progress entries: all public projects', or one project's."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from onewindow.portal import selectors
from onewindow.projects.models import Project, TimelineEntry

FEED_ENTRIES = 50


class ProgressFeed(Feed):
    feed_type = Atom1Feed

    def get_feed(self, obj, request):
        # One feed object serves every request: the language is set on each feed made, not on it.
        feed = super().get_feed(obj, request)
        feed.feed["language"] = translation.get_language()
        return feed

    def title(self) -> str:
        return _("%(site)s: progress of investment projects") % {"site": settings.ONEWINDOW_SITE_NAME}

    def subtitle(self) -> str:
        return _("Public progress entries of the projects under one-window agency, newest first.")

    def link(self) -> str:
        return reverse("portal:home")

    def feed_url(self) -> str:
        return reverse("portal:feed")

    def author_name(self) -> str:
        return settings.ONEWINDOW_SITE_NAME

    def items(self):
        return selectors.public_entries(limit=FEED_ENTRIES)

    def item_title(self, item: TimelineEntry) -> str:
        return f"{item.project.name} · {item.happened_on.isoformat()}"

    def item_description(self, item: TimelineEntry) -> str:
        return item.text

    def item_link(self, item: TimelineEntry) -> str:
        return reverse("portal:project", args=[item.project_id]) + f"#entry-{item.pk}"

    def item_pubdate(self, item: TimelineEntry):
        return item.created_at

    def item_updateddate(self, item: TimelineEntry):
        return item.created_at


class ProjectProgressFeed(ProgressFeed):
    def get_object(self, request, pk: int) -> Project:
        return selectors.public_project(pk)

    def title(self, obj: Project) -> str:
        return _("%(site)s: progress of %(project)s") % {
            "site": settings.ONEWINDOW_SITE_NAME,
            "project": obj.name,
        }

    def subtitle(self, obj: Project) -> str:
        return _("Public progress entries of project %(code)s, newest first.") % {"code": obj.code}

    def link(self, obj: Project) -> str:
        return reverse("portal:project", args=[obj.pk])

    def feed_url(self, obj: Project) -> str:
        return reverse("portal:project-feed", args=[obj.pk])

    def items(self, obj: Project):
        entries = list(selectors.public_timeline(obj)[:FEED_ENTRIES])
        for entry in entries:
            entry.project = obj
        return entries
