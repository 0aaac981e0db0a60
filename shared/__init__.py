"""Code every DânBàn process shares: contracts, config, errors, the service chassis."""
