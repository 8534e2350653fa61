"""1:1 meetings (对接洽谈) at docking events: settings, requests, booking, agenda and outcomes."""
