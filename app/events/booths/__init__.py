"""Expo booths: the organiser's layout, exhibitors' applications and the public floor list."""
