from django.urls import path

from . import views

app_name = "supplies"

urlpatterns = [
    path("", views.SiteListView.as_view(), name="list"),
    path("overview/", views.OverviewView.as_view(), name="overview"),
    path("items/", views.ItemListView.as_view(), name="items"),
    path("sites/new/", views.SiteCreateView.as_view(), name="site_create"),
    path("sites/<int:pk>/", views.SiteDetailView.as_view(), name="site_detail"),
    path("sites/<int:pk>/edit/", views.SiteUpdateView.as_view(), name="site_edit"),
    path("sites/<int:pk>/receive/", views.ReceiveView.as_view(), name="receive"),
    path("sites/<int:pk>/dispatch/", views.DispatchView.as_view(), name="dispatch"),
    path("sites/<int:pk>/transfer/", views.TransferView.as_view(), name="transfer"),
    path("sites/<int:pk>/write-off/", views.WriteOffView.as_view(), name="write_off"),
    path("sites/<int:pk>/adjust/", views.AdjustView.as_view(), name="adjust"),
    path("sites/<int:pk>/standards/", views.StandardView.as_view(), name="standards"),
    path("sites/<int:pk>/terms/", views.AgreementTermView.as_view(), name="terms"),
    path("sites/<int:pk>/checks/new/", views.CheckCreateView.as_view(), name="check_create"),
    path("movements/", views.MovementListView.as_view(), name="movements"),
    path("movements/export/", views.MovementExportView.as_view(), name="movement_export"),
    path("stock/export/", views.StockExportView.as_view(), name="stock_export"),
    path("import/sites/", views.SiteImportView.as_view(), name="import_sites"),
    path("import/stock/", views.StockImportView.as_view(), name="import_stock"),
    path("import/items/", views.ItemImportView.as_view(), name="import_items"),
]
