"""Who is who and what they may see: accounts, secret account links, access rules, rate limits and
personal-data export and anonymisation."""
