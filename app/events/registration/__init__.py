"""Registering for an event: the registrant's registration, 我的报名 and the organiser's approval queue."""
