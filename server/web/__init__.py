"""The app's HTTP routes: /graphql's endpoint (the caller read, the context built, the request's session
finished), sign-in for API clients (`/auth/token`) and for the portal (`/auth/session`), and the throttle both go
through."""
