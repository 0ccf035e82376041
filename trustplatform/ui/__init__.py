"""The site's look: Korean conventions for money, dates and phone numbers, shared page components, icons,
the web font and the error pages. Every consumer page, the owner portal and the inspector page use it."""
