return await Listo.Orleans.Gateway.GatewayApp.RunAsync(args);
