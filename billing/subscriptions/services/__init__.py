"""What platform billing offers: plans (`plans`), Stripe's events (`events`), dunning
(`dunning`, `notices`) and the state changes they share (`transitions`)."""
