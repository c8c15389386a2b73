"""The cron job: state store, pulls, facts assembly, writeback, run lock, run report."""
