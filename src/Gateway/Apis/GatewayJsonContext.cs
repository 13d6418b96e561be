using System.Text.Json;
using System.Text.Json.Serialization;
using Listo.Orleans.Gateway.Webhooks;
using Microsoft.AspNetCore.Mvc;

namespace Listo.Orleans.Gateway.Apis;

/// <summary>Source-generated JSON for every body the gateway writes.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(DeliveryAck))]
[JsonSerializable(typeof(ClientResponse))]
[JsonSerializable(typeof(ClientWorkersResponse))]
[JsonSerializable(typeof(WorkerResponse))]
[JsonSerializable(typeof(PersonResponse))]
[JsonSerializable(typeof(ChangesResponse))]
[JsonSerializable(typeof(DeliveriesResponse))]
[JsonSerializable(typeof(DeliveryDetailResponse))]
[JsonSerializable(typeof(RefreshResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
