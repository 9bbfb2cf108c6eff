from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from onewindow.accounts.models import User


@admin.register(User)
class OneWindowUserAdmin(UserAdmin):
    list_display = ["username", "full_name", "role", "region", "department", "is_active"]
    list_filter = ["role", "region", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("OneWindow"), {"fields": ("role", "full_name", "region", "department", "phone")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (_("OneWindow"), {"fields": ("role", "full_name", "region", "department")}),
    )
