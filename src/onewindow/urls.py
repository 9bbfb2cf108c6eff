from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from onewindow.api.api import api
from onewindow.portal import views as portal_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # The public portal has its own prefix, so that the staff pages keep theirs, robots.txt can open
    # it alone to crawlers, and a reverse proxy can treat it apart.
    path("public/", include("onewindow.portal.urls")),
    path("feedback/", include("onewindow.portal.staff_urls")),
    path("notifications/", include("onewindow.notifications.urls")),
    path("robots.txt", portal_views.robots_txt, name="robots"),
    path("sitemap.xml", portal_views.sitemap_xml, name="sitemap"),
    # Staff pages of their own rooms; like every staff page they ask for a signed-in user.
    path("leads/", include("onewindow.promotion.urls")),
    path("assessment/", include("onewindow.assessment.urls")),
    path("", include("onewindow.web_urls")),
]
