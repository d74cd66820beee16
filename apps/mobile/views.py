from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class HomeView(LoginRequiredMixin, TemplateView):
    """我的任务: the front line's start page."""

    frontline = True
    template_name = "mobile/home.html"
