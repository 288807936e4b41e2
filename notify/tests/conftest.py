from notify.testing import edge_fixtures

telegram, sms_gateway, smtp_server = edge_fixtures()
