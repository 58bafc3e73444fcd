"""The tasking capability: insights products, T&C routing, risk prioritisation, taskings and deconfliction."""
