using System.Net;
using k8s;
using k8s.Models;
using Listo.Orleans.FakeListo;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Deploy;

/// <summary>
/// The images without their FROM line: every role published exactly as deploy/images.sh builds its image (linux-x64,
/// ReadyToRun), started with the environment the manifests give its container (ConfigMap, Secret keys, downward API),
/// on loopback ports and this machine's PostgreSQL. The gateway and the silo must become ready and take a signed
/// delivery; the admin must run each of its Job templates' commands against that cluster.
/// </summary>
[Trait(Category.Key, Category.Process)]
[Collection(Name)]
public sealed class PublishedImageTests
{
    /// <summary>
    /// Runs alone, after the parallel tests: publishing three projects ReadyToRun takes both cores for minutes, which
    /// would starve the timing-sensitive tests beside it.
    /// </summary>
    public const string Name = "published-images";

    private static readonly Lazy<Task<string>> Published = new(async () =>
    {
        var dir = Path.Combine(Repository.Root, ".data", "published");
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        await Repository.RunScriptAsync("deploy/images.sh", "--publish-only", dir);
        return dir;
    });

    [Fact]
    public async Task EveryRole_PublishedAsItsImage_RunsWithTheManifestsEnvironment()
    {
        var published = await Published.Value;
        foreach (var role in new[] { "gateway", "silo", "admin" })
        {
            Assert.True(File.Exists(Path.Combine(published, role, role == "admin" ? "listo-admin.dll" : $"Listo.Orleans.{char.ToUpperInvariant(role[0])}{role[1..]}.dll")), $"{role} was not published");
        }

        var objects = KubernetesYaml.LoadAllFromString(await Repository.RunScriptAsync("-c", "kubectl kustomize deploy/k8s/overlays/example"), strict: true);
        var config = objects.OfType<V1ConfigMap>().Single(c => c.Name().StartsWith("listo-config", StringComparison.Ordinal)).Data;
        var connection = await PostgresServer.CreateMigratedDatabaseAsync("published");
        var listo = new FakeListoServer("published-listo-api-key");
        await listo.StartAsync();
        await using var _ = listo;
        var secrets = new Dictionary<string, string>
        {
            ["connection-string"] = connection,
            ["webhook-secret"] = GatewayFixture.Secret,
            ["query-key"] = GatewayFixture.QueryKey,
            ["listo-api-key"] = "published-listo-api-key",
        };

        // The gateway, with its container's environment; only the addresses a pod gets from Kubernetes are this machine's.
        var gatewayContainer = Container(objects, "listo-gateway");
        var gatewayEnvironment = Environment(gatewayContainer, config, secrets);
        var ingress = new Uri($"http://127.0.0.1:{GatewayFixture.FreePort()}");
        var @internal = new Uri($"http://127.0.0.1:{GatewayFixture.FreePort()}");
        gatewayEnvironment["Gateway__IngressUrl"] = ingress.ToString();
        gatewayEnvironment["Gateway__InternalUrl"] = @internal.ToString();
        gatewayEnvironment["Orleans__SiloPort"] = GatewayFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        gatewayEnvironment["Orleans__GatewayPort"] = GatewayFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        gatewayEnvironment["Listo__ApiBaseUrl"] = listo.BaseAddress.ToString();
        await using var gateway = ChildProcess.Start("published gateway", Path.Combine(published, "gateway", "Listo.Orleans.Gateway.dll"), gatewayEnvironment);
        var client = new Client(ingress, @internal);
        await client.WaitReadyAsync(gateway);

        var (clientId, worker, person) = (ListoEvents.NewId("lglsocli"), ListoEvents.NewId("lglsowpr"), ListoEvents.NewId("lglsowpf"));
        var data = FakeListoWorld.Worker(clientId, worker, person, "Alex Kim", "Springfield");
        await client.DeliverAsync(ListoEvents.Worker(ListoEvents.NewId("lglsoevt"), ListoEvents.At(1), data, "worker.onboarded"), "applied");
        listo.Put(FakeListoWorld.WorkerPath(clientId, worker), data.DeepClone());

        // The headless silo joins the same cluster with its own container's environment.
        var siloContainer = Container(objects, "listo-silo");
        var siloEnvironment = Environment(siloContainer, config, secrets);
        var siloInternal = new Uri($"http://127.0.0.1:{GatewayFixture.FreePort()}");
        siloEnvironment["Silo__InternalUrl"] = siloInternal.ToString();
        siloEnvironment["Orleans__SiloPort"] = GatewayFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        siloEnvironment["Orleans__GatewayPort"] = GatewayFixture.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var silo = ChildProcess.Start("published silo", Path.Combine(published, "silo", "Listo.Orleans.Silo.dll"), siloEnvironment);
        await new Client(siloInternal, siloInternal).WaitReadyAsync(silo);

        // The admin, once per Job template, with that template's container arguments and environment.
        foreach (var cronJob in objects.OfType<V1CronJob>())
        {
            var container = cronJob.Spec.JobTemplate.Spec.Template.Spec.Containers.Single();
            var environment = Environment(container, config, secrets);
            environment["Listo__ApiBaseUrl"] = listo.BaseAddress.ToString();
            var work = Directory.CreateTempSubdirectory("listo-admin-").FullName;
            var args = container.Args.Select(a => a.Replace("/work/", work + "/", StringComparison.Ordinal)).ToArray();
            await using var admin = ChildProcess.Start($"published admin ({cronJob.Name()})", Path.Combine(published, "admin", "listo-admin.dll"), environment, args);
            var exit = await admin.WaitForExitAsync(TimeSpan.FromSeconds(120));
            Assert.True(exit == 0, $"{cronJob.Name()}: listo-admin {string.Join(' ', container.Args)} exited {exit}:\n{admin.Output}");
            if (cronJob.Name() == "listo-admin-reconcile")
            {
                Assert.True(listo.Stats().Requests > 0, $"reconcile asked the fake Listo nothing:\n{admin.Output}");
            }
        }

        Assert.Equal(["listo-admin-purge", "listo-admin-reconcile", "listo-admin-replay"], objects.OfType<V1CronJob>().Select(c => c.Name()).Order(StringComparer.Ordinal));
        Assert.False(gateway.HasExited, gateway.Output);
    }

    private static V1Container Container(IEnumerable<object> objects, string deployment)
        => objects.OfType<V1Deployment>().Single(d => d.Name() == deployment).Spec.Template.Spec.Containers.Single();

    /// <summary>The container's environment as the kubelet would give it: ConfigMap, Secret keys, downward API, $(VAR).</summary>
    private static Dictionary<string, string> Environment(V1Container container, IDictionary<string, string> config, Dictionary<string, string> secrets)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var from in container.EnvFrom ?? [])
        {
            Assert.Equal("listo-config", from.ConfigMapRef.Name[.."listo-config".Length]);
            foreach (var (key, value) in config)
            {
                environment[key] = value;
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (variable.ValueFrom?.SecretKeyRef is { } secret)
            {
                Assert.StartsWith("listo-secrets", secret.Name, StringComparison.Ordinal);
                if (secrets.TryGetValue(secret.Key, out var value))
                {
                    environment[variable.Name] = value;
                }
                else
                {
                    Assert.True(secret.Optional == true, $"{container.Name}: {variable.Name} needs Secret key {secret.Key}, which the test does not know");
                }
            }
            else if (variable.ValueFrom?.FieldRef is { } field)
            {
                environment[variable.Name] = field.FieldPath switch
                {
                    "status.podIP" => "127.0.0.1",
                    "metadata.name" => $"{container.Name}-published-test",
                    "metadata.namespace" => "listo",
                    _ => throw new InvalidOperationException($"{container.Name}: {variable.Name} reads {field.FieldPath}"),
                };
            }
            else
            {
                var value = variable.Value ?? "";
                foreach (var (name, defined) in environment)
                {
                    value = value.Replace($"$({name})", defined, StringComparison.Ordinal);
                }

                environment[variable.Name] = value;
            }
        }

        return environment;
    }

    private sealed class Client : WebhookClient
    {
        public Client(Uri ingress, Uri @internal)
        {
            Ingress = ingress;
            Internal = @internal;
        }

        public async Task WaitReadyAsync(ChildProcess process)
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline)
            {
                Assert.False(process.HasExited, $"{process.Name} exited during start:\n{process.Output}");
                try
                {
                    if ((await GetAsync("/health/ready", key: null, listener: Internal)).Status == HttpStatusCode.OK)
                    {
                        return;
                    }
                }
                catch (HttpRequestException)
                {
                    // not listening yet
                }

                await Task.Delay(200);
            }

            Assert.Fail($"{process.Name} was not ready within 90 s:\n{process.Output}");
        }
    }
}

[CollectionDefinition(PublishedImageTests.Name, DisableParallelization = true)]
public sealed class PublishedImagesCollection;
