using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using k8s;
using k8s.Models;
using Listo.Orleans.Gateway;
using Listo.Orleans.Gateway.Webhooks;
using Listo.Orleans.Hosting;
using Listo.Orleans.Hosting.Operations;
using Listo.Orleans.Tests.Support;

namespace Listo.Orleans.Tests.Deploy;

/// <summary>
/// deploy/k8s, rendered by kubectl's kustomize as an operator would, checked against the Kubernetes API and
/// against the code it deploys: what the manifests say must be what the processes do.
/// </summary>
[Trait(Category.Key, Category.Manifests)]
public sealed partial class ManifestTests
{
    private static readonly string[] Kustomizations = ["base", "overlays/example"];

    private static readonly string[] DownwardApi = ["POD_NAME", "POD_NAMESPACE", "POD_IP"];

    [Fact]
    public async Task EveryKustomization_Renders_AndEveryObjectIsValidAgainstTheKubernetesApiSchemas()
    {
        var output = await Repository.RunScriptAsync("deploy/k8s/validate.sh");
        Assert.Matches(@"^\d+ objects checked, 0 invalid$", output.Split('\n')[^1]);
        Assert.DoesNotContain("INVALID", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("base")]
    [InlineData("overlays/example")]
    public async Task EveryRenderedObject_LoadsStrictlyAsAKubernetesApiType_SoNoFieldIsMisspelled(string kustomization)
    {
        var objects = await RenderAsync(kustomization);
        Assert.Contains(objects, o => o is V1Deployment);
        Assert.All(objects, o => Assert.IsAssignableFrom<IKubernetesObject<V1ObjectMeta>>(o));
    }

    [Fact]
    public async Task Probes_UseTheHealthPaths_OnThePortsTheProcessesListenOn()
    {
        foreach (var (deployment, container) in await ContainersAsync())
        {
            var where = $"{deployment.Name()}/{container.Name}";
            Assert.Equal(ListoHealth.LivePath, container.StartupProbe.HttpGet.Path);
            Assert.Equal(ListoHealth.LivePath, container.LivenessProbe.HttpGet.Path);
            Assert.Equal(ListoHealth.ReadyPath, container.ReadinessProbe.HttpGet.Path);

            var internalKey = container.Name == "gateway" ? "Gateway:InternalUrl" : "Silo:InternalUrl";
            var internalPort = ListenAddress.Parse(internalKey, EnvValue(container, internalKey)).Port;
            foreach (var probe in new[] { container.StartupProbe, container.LivenessProbe, container.ReadinessProbe })
            {
                Assert.True(NamedPort(container, probe.HttpGet.Port.Value) == internalPort, $"{where}: probe port {probe.HttpGet.Port.Value} is not the internal listener {internalPort}");
            }

            Assert.Equal(internalPort, NamedPort(container, "internal"));
            if (container.Name == "gateway")
            {
                Assert.Equal(ListenAddress.Parse("Gateway:IngressUrl", EnvValue(container, "Gateway:IngressUrl")).Port, NamedPort(container, "ingress"));
            }
        }
    }

    [Fact]
    public async Task EveryEnvironmentVariable_IsAConfigurationKeyTheCodeReads_AndTheReadmeDocuments()
    {
        var known = ConfigurationKeys();
        var readme = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "README.md"));
        var objects = await RenderAsync("overlays/example");
        var names = objects.OfType<V1ConfigMap>().Single(c => c.Name().StartsWith("listo-config", StringComparison.Ordinal)).Data.Keys
            .Concat(PodSpecs(objects).SelectMany(p => p.Containers).SelectMany(c => c.Env ?? []).Select(e => e.Name))
            .Where(name => !DownwardApi.Contains(name) && !name.StartsWith("POSTGRES_", StringComparison.Ordinal) && name != "PGDATA")
            .Distinct()
            .ToList();

        Assert.NotEmpty(names);
        foreach (var name in names)
        {
            var key = ConfigurationKey(name);
            Assert.True(known.Contains(key), $"{name} is configuration key {key}, which no code reads. Known: {string.Join(", ", known.Order())}");
            Assert.True(readme.Contains($"`{key}`", StringComparison.Ordinal), $"{key} is set by deploy/k8s but not in the README's configuration table");
        }

        // A $(VAR) reference must name a variable defined before it, or Kubernetes passes it on literally.
        foreach (var container in PodSpecs(objects).SelectMany(p => p.Containers))
        {
            var defined = new List<string>();
            foreach (var env in container.Env ?? [])
            {
                foreach (Match reference in VariableReference().Matches(env.Value ?? ""))
                {
                    Assert.Contains(reference.Groups[1].Value, defined);
                }

                defined.Add(env.Name);
            }
        }
    }

    [Fact]
    public async Task OrleansIdentityAndPorts_AgreeBetweenTheConfigMapThePodLabelsAndTheContainerPorts()
    {
        var objects = await RenderAsync("base");
        var config = objects.OfType<V1ConfigMap>().Single().Data;
        foreach (var (deployment, container) in await ContainersAsync())
        {
            var labels = deployment.Spec.Template.Metadata.Labels;
            Assert.Equal(config["Orleans__ServiceId"], labels["orleans/serviceId"]);
            Assert.Equal(config["Orleans__ClusterId"], labels["orleans/clusterId"]);
            Assert.Equal(int.Parse(config["Orleans__SiloPort"], System.Globalization.CultureInfo.InvariantCulture), NamedPort(container, "silo"));
            Assert.Equal(int.Parse(config["Orleans__GatewayPort"], System.Globalization.CultureInfo.InvariantCulture), NamedPort(container, "orleans-gateway"));
            Assert.Equal("$(POD_IP)", EnvValue(container, "Orleans:AdvertisedIPAddress"));
            Assert.Equal("$(POD_NAME)", EnvValue(container, "Orleans:SiloName"));
        }
    }

    [Fact]
    public async Task Images_AreTheContainerRepositoriesTheProjectsPublish_AndTheJobRunsMigrate()
    {
        var gateway = ContainerRepository("src/Gateway/Listo.Orleans.Gateway.csproj");
        var silo = ContainerRepository("src/Silo/Listo.Orleans.Silo.csproj");
        var objects = await RenderAsync("base");
        Assert.Equal(gateway, Deployment(objects, "listo-gateway").Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal(silo, Deployment(objects, "listo-silo").Spec.Template.Spec.Containers.Single().Image);
        var migrate = objects.OfType<V1Job>().Single().Spec.Template.Spec.Containers.Single();
        Assert.Equal(silo, migrate.Image);
        Assert.Equal(["migrate"], migrate.Args);

        var example = await RenderAsync("overlays/example");
        Assert.EndsWith($"/{gateway}:0.1.0", Deployment(example, "listo-gateway").Spec.Template.Spec.Containers.Single().Image, StringComparison.Ordinal);
        Assert.EndsWith($"/{silo}:0.1.0", Deployment(example, "listo-silo").Spec.Template.Spec.Containers.Single().Image, StringComparison.Ordinal);
        Assert.EndsWith($"/{silo}:0.1.0", example.OfType<V1Job>().Single().Spec.Template.Spec.Containers.Single().Image, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnlyTheWebhookPath_IsExposed_AndServicesPdbsAndPoliciesSelectWhatExists()
    {
        var objects = await RenderAsync("overlays/example");
        var pods = objects.OfType<V1Deployment>().Select(d => (Labels: d.Spec.Template.Metadata.Labels, Spec: d.Spec.Template.Spec))
            .Concat(objects.OfType<V1StatefulSet>().Select(s => (Labels: s.Spec.Template.Metadata.Labels, Spec: s.Spec.Template.Spec)))
            .ToList();

        var ingress = objects.OfType<V1Ingress>().Single();
        var path = Assert.Single(ingress.Spec.Rules.SelectMany(r => r.Http.Paths));
        Assert.Equal((WebhookEndpoints.Path, "Exact", "listo-ingress"), (path.Path, path.PathType, path.Backend.Service.Name));

        var services = objects.OfType<V1Service>().ToDictionary(s => s.Name());
        Assert.Equal("ingress", services["listo-ingress"].Spec.Ports.Single().TargetPort.Value);
        Assert.Equal("internal", services["listo-internal"].Spec.Ports.Single().TargetPort.Value);
        foreach (var service in services.Values)
        {
            var selected = pods.Where(p => Selects(service.Spec.Selector, p.Labels)).ToList();
            Assert.True(selected.Count > 0, $"Service {service.Name()} selects no pods");
            Assert.All(service.Spec.Ports, port => Assert.All(selected, p => Assert.True(HasPort(p.Spec, port.TargetPort.Value), $"{service.Name()} targets {port.TargetPort.Value}")));
        }

        foreach (var pdb in objects.OfType<V1PodDisruptionBudget>())
        {
            Assert.Single(pods, p => Selects(pdb.Spec.Selector.MatchLabels, p.Labels));
        }

        foreach (var policy in objects.OfType<V1NetworkPolicy>())
        {
            var selected = pods.Where(p => Selects(policy.Spec.PodSelector.MatchLabels, p.Labels)).ToList();
            Assert.True(selected.Count > 0, $"NetworkPolicy {policy.Name()} selects no pods");
            foreach (var port in policy.Spec.Ingress.SelectMany(rule => rule.Ports))
            {
                Assert.All(selected, p => Assert.True(HasPort(p.Spec, port.Port.Value), $"NetworkPolicy {policy.Name()} allows port {port.Port.Value}, which a selected pod lacks"));
            }
        }
    }

    [Fact]
    public async Task Rollouts_KeepCapacity_AndTheGracePeriodOutlastsTheDelayAndTheDrain()
    {
        var objects = await RenderAsync("base");
        var config = objects.OfType<V1ConfigMap>().Single().Data;
        var delay = int.Parse(config[EnvironmentName("Telemetry:ShutdownDelaySeconds")], System.Globalization.CultureInfo.InvariantCulture);
        var drain = int.Parse(config[EnvironmentName("Telemetry:ShutdownTimeoutSeconds")], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(delay, 1, drain - 1);
        foreach (var deployment in objects.OfType<V1Deployment>())
        {
            Assert.Equal("0", deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value);
            Assert.True(deployment.Spec.Replicas >= 2, $"{deployment.Name()} has fewer than 2 replicas");
            Assert.True(deployment.Spec.Template.Spec.TerminationGracePeriodSeconds > drain, $"{deployment.Name()}: grace period must outlast the {drain} s shutdown timeout");
            Assert.NotNull(deployment.Spec.Template.Spec.Containers.Single().Resources.Requests);
        }
    }

    // Each kustomization is rendered once per test run; the objects are only read.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<IList<object>>>> Rendered = new(StringComparer.Ordinal);

    private static Task<IList<object>> RenderAsync(string kustomization)
    {
        Assert.Contains(kustomization, Kustomizations);
        return Rendered.GetOrAdd(kustomization, k => new(async () =>
        {
            var yaml = await Repository.RunScriptAsync("-c", $"kubectl kustomize deploy/k8s/{k}");
            return KubernetesYaml.LoadAllFromString(yaml, strict: true);
        })).Value;
    }

    private static async Task<List<(V1Deployment Deployment, V1Container Container)>> ContainersAsync()
    {
        var deployments = (await RenderAsync("overlays/example")).OfType<V1Deployment>().ToList();
        Assert.Equal(["listo-gateway", "listo-silo"], deployments.Select(d => d.Name()).Order());
        return deployments.Select(d => (d, d.Spec.Template.Spec.Containers.Single())).ToList();
    }

    private static IEnumerable<V1PodSpec> PodSpecs(IEnumerable<object> objects)
        => objects.OfType<V1Deployment>().Select(d => d.Spec.Template.Spec).Concat(objects.OfType<V1Job>().Select(j => j.Spec.Template.Spec));

    private static V1Deployment Deployment(IEnumerable<object> objects, string name) => objects.OfType<V1Deployment>().Single(d => d.Name() == name);

    private static bool Selects(IDictionary<string, string> selector, IDictionary<string, string> labels)
        => selector.Count > 0 && selector.All(s => labels.TryGetValue(s.Key, out var value) && value == s.Value);

    private static bool HasPort(V1PodSpec pod, string nameOrNumber)
        => pod.Containers.SelectMany(c => c.Ports ?? []).Any(p => p.Name == nameOrNumber || p.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) == nameOrNumber);

    private static int NamedPort(V1Container container, string name)
        => Assert.Single(container.Ports, p => p.Name == name).ContainerPort;

    private static string EnvValue(V1Container container, string key)
        => Assert.Single(container.Env, e => e.Name == EnvironmentName(key)).Value;

    private static string EnvironmentName(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>
    /// <c>Webhooks__Secrets__1</c> is the key <c>Webhooks:Secrets</c>: .NET's environment form, array index dropped (and the
    /// member of an array element: <c>Dashboard__Users__0__Name</c> is <c>Dashboard:Users</c>).
    /// </summary>
    private static string ConfigurationKey(string environmentName)
        => ArrayIndex().Replace(environmentName, "").Replace("__", ":", StringComparison.Ordinal);

    /// <summary>
    /// The keys the code reads: every settable property of an options class (one with a <c>Section</c> constant)
    /// and every public <c>…Key</c> constant naming a <c>Section:Name</c> key.
    /// </summary>
    private static HashSet<string> ConfigurationKeys()
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in new[] { typeof(GatewayApp).Assembly, typeof(ListoSilo).Assembly, typeof(global::Listo.Orleans.Storage.StorageMode).Assembly, typeof(Refetch.ListoApiOptions).Assembly }.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } section)
            {
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                {
                    keys.Add($"{section.GetRawConstantValue()}:{property.Name}");
                }
            }

            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.Name.EndsWith("Key", StringComparison.Ordinal)))
            {
                if (field.GetRawConstantValue() is string key && key.Contains(':', StringComparison.Ordinal))
                {
                    keys.Add(key);
                }
            }
        }

        return keys;
    }

    private static string ContainerRepository(string project)
        => XDocument.Load(Path.Combine(Repository.Root, project)).Descendants("ContainerRepository").Single().Value;

    [GeneratedRegex(@"__\d+(__[A-Za-z]+)?$")]
    private static partial Regex ArrayIndex();

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex VariableReference();
}
