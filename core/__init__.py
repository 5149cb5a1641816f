"""The ground floor every app stands on: errors, the API's error body, transactions,
request context, version stamps, storage, logs, pagination. It imports no app."""
