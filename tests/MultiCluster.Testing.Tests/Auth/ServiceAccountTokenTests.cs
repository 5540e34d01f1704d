using System.Text;
using k8s;
using k8s.Models;
using MultiCluster.Testing.ApiServer.Auth;
using MultiCluster.Testing.Controllers;

namespace MultiCluster.Testing.Tests.Auth;

public sealed class ServiceAccountTokenTests : IAsyncLifetime
{
    private readonly List<ApiServer.IController> _controllers = ControllerCatalog.Create(ServiceAccountTokenController.ControllerName);
    private EmulatedCluster _cluster = null!;
    private Kubernetes _admin = null!;

    public async Task InitializeAsync()
    {
        _cluster = await EmulatedCluster.StartAsync(new EmulatedClusterOptions { Controllers = _controllers });
        _admin = EmulatorClients.Admin(_cluster);
        await _admin.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "ops" } });
        await _admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, "ops");
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _cluster.DisposeAsync();
    }

    private Task WhenControllersIdle() => ((StoreController)_controllers[0]).WhenIdleAsync();

    private async Task GrantNamespaceReading()
    {
        await _admin.RbacAuthorizationV1.CreateClusterRoleAsync(new V1ClusterRole
        {
            Metadata = new V1ObjectMeta { Name = "namespace-reader" },
            Rules = [new V1PolicyRule { ApiGroups = [""], Resources = ["namespaces"], Verbs = ["get", "list"] }],
        });
        await _admin.RbacAuthorizationV1.CreateClusterRoleBindingAsync(new V1ClusterRoleBinding
        {
            Metadata = new V1ObjectMeta { Name = "robot-reads-namespaces" },
            RoleRef = new V1RoleRef { ApiGroup = "rbac.authorization.k8s.io", Kind = "ClusterRole", Name = "namespace-reader" },
            Subjects = [new Rbacv1Subject { Kind = "ServiceAccount", Name = "robot", NamespaceProperty = "ops" }],
        });
    }

    [Fact]
    public async Task TokenRequest_token_has_exactly_the_rights_bound_to_the_service_account()
    {
        await GrantNamespaceReading();
        var answer = await _admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 1200 } }, "robot", "ops");
        answer.Status.Token.Should().NotBeNullOrEmpty();
        answer.Status.ExpirationTimestamp.Should().BeCloseTo(_cluster.Clock.UtcNow.UtcDateTime.AddSeconds(1200), TimeSpan.FromSeconds(5));

        using var robot = EmulatorClients.For(_cluster, answer.Status.Token);
        (await robot.CoreV1.ListNamespaceAsync()).Items.Should().Contain(n => n.Metadata.Name == "ops");
        (await robot.CoreV1.ReadNamespaceAsync("default")).Metadata.Name.Should().Be("default");
        var (code, message, _) = await EmulatorClients.FailureOf(() => robot.CoreV1.ListNamespacedSecretAsync("ops"));
        code.Should().Be(403);
        message.Should().Be("secrets is forbidden: User \"system:serviceaccount:ops:robot\" cannot list resource \"secrets\" in API group \"\" in the namespace \"ops\"");
        (await EmulatorClients.FailureOf(() => robot.CoreV1.ReadNamespacedSecretAsync("any", "ops"))).Code.Should().Be(403);

        var whoami = await robot.AuthenticationV1.CreateSelfSubjectReviewAsync(new V1SelfSubjectReview());
        whoami.Status.UserInfo.Groups.Should().Equal("system:serviceaccounts", "system:serviceaccounts:ops", "system:authenticated");

        _cluster.Clock.Advance(TimeSpan.FromSeconds(1200));
        (await EmulatorClients.FailureOf(() => robot.CoreV1.ListNamespaceAsync())).Code.Should().Be(401);
    }

    [Fact]
    public async Task TokenRequest_for_a_missing_account_or_too_short_a_lifetime_fails_as_the_real_server()
    {
        (await EmulatorClients.FailureOf(() => _admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "nobody", "ops")))
            .Message.Should().Be("serviceaccounts \"nobody\" not found");
        var (code, message, _) = await EmulatorClients.FailureOf(() => _admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { ExpirationSeconds = 60 } }, "robot", "ops"));
        code.Should().Be(422);
        message.Should().Contain("spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes");
    }

    [Fact]
    public async Task Token_dies_with_its_service_account()
    {
        await GrantNamespaceReading();
        var answer = await _admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec() }, "robot", "ops");
        using var robot = EmulatorClients.For(_cluster, answer.Status.Token);
        await robot.CoreV1.ListNamespaceAsync();
        await _admin.CoreV1.DeleteNamespacedServiceAccountAsync("robot", "ops");
        await _admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "robot" } }, "ops");
        (await EmulatorClients.FailureOf(() => robot.CoreV1.ListNamespaceAsync())).Code.Should().Be(401, "the new account has another uid");
    }

    [Fact]
    public async Task Token_bound_to_a_secret_dies_with_it_and_bad_references_are_refused()
    {
        await GrantNamespaceReading();
        var secret = await _admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "anchor" } }, "ops");
        V1BoundObjectReference Ref(string kind, string name, string? uid = null) => new() { ApiVersion = "v1", Kind = kind, Name = name, Uid = uid };
        Task<Authenticationv1TokenRequest> Request(V1BoundObjectReference reference) => _admin.CoreV1.CreateNamespacedServiceAccountTokenAsync(
            new Authenticationv1TokenRequest { Spec = new V1TokenRequestSpec { BoundObjectRef = reference } }, "robot", "ops");

        var answer = await Request(Ref("Secret", "anchor"));
        answer.Spec.BoundObjectRef.Uid.Should().Be(secret.Metadata.Uid);
        using var robot = EmulatorClients.For(_cluster, answer.Status.Token);
        await robot.CoreV1.ListNamespaceAsync();
        await _admin.CoreV1.DeleteNamespacedSecretAsync("anchor", "ops");
        (await EmulatorClients.FailureOf(() => robot.CoreV1.ListNamespaceAsync())).Code.Should().Be(401);

        (await EmulatorClients.FailureOf(() => Request(Ref("Secret", "anchor")))).Message.Should().Be("secrets \"anchor\" not found");
        await _admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "anchor" } }, "ops");
        var (conflict, conflictMessage, _) = await EmulatorClients.FailureOf(() => Request(Ref("Secret", "anchor", secret.Metadata.Uid)));
        conflict.Should().Be(409);
        conflictMessage.Should().StartWith($"Operation cannot be fulfilled on Secret \"anchor\": the UID in the bound object reference ({secret.Metadata.Uid}) does not match");
        (await EmulatorClients.FailureOf(() => Request(Ref("ConfigMap", "x")))).Message
            .Should().Be("cannot bind token to object of type /v1, Kind=ConfigMap");
    }

    [Fact]
    public async Task Legacy_token_secret_is_filled_and_its_token_works()
    {
        await GrantNamespaceReading();
        await _admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "robot-token",
                Annotations = new Dictionary<string, string> { [ServiceAccountTokens.ServiceAccountNameAnnotation] = "robot" },
            },
            Type = ServiceAccountTokens.LegacySecretType,
        }, "ops");
        await WhenControllersIdle();

        var secret = await _admin.CoreV1.ReadNamespacedSecretAsync("robot-token", "ops");
        Encoding.UTF8.GetString(secret.Data["namespace"]).Should().Be("ops");
        Encoding.UTF8.GetString(secret.Data["ca.crt"]).Should().Be(EmulatedCluster.CertificateAuthorityPem);
        var robotAccount = await _admin.CoreV1.ReadNamespacedServiceAccountAsync("robot", "ops");
        secret.Metadata.Annotations[ServiceAccountTokens.ServiceAccountUidAnnotation].Should().Be(robotAccount.Metadata.Uid);

        using var robot = EmulatorClients.For(_cluster, Encoding.UTF8.GetString(secret.Data["token"]));
        (await robot.CoreV1.ListNamespaceAsync()).Items.Should().NotBeEmpty();
        (await EmulatorClients.FailureOf(() => robot.CoreV1.ListNamespacedSecretAsync("ops"))).Code.Should().Be(403);

        await _admin.CoreV1.DeleteNamespacedSecretAsync("robot-token", "ops");
        (await EmulatorClients.FailureOf(() => robot.CoreV1.ListNamespaceAsync())).Code.Should().Be(401, "the token dies with its secret");
    }

    [Fact]
    public async Task Legacy_token_secret_waits_for_its_service_account()
    {
        await _admin.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "later-token",
                Annotations = new Dictionary<string, string> { [ServiceAccountTokens.ServiceAccountNameAnnotation] = "later" },
            },
            Type = ServiceAccountTokens.LegacySecretType,
        }, "ops");
        await WhenControllersIdle();
        (await _admin.CoreV1.ReadNamespacedSecretAsync("later-token", "ops")).Data.Should().BeNullOrEmpty();

        await _admin.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "later" } }, "ops");
        await WhenControllersIdle();
        (await _admin.CoreV1.ReadNamespacedSecretAsync("later-token", "ops")).Data.Should().ContainKey("token");
    }
}
