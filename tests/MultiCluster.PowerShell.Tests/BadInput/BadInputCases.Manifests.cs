namespace MultiCluster.PowerShell.Tests.BadInput;

public static partial class BadInputCases
{
    private const string GoodConfigMap = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: bad-input-good
          namespace: default
        data:
          a: "1"
        """;

    // Manifests: no kind, unknown kind, wrong apiVersion, YAML that does not parse, and files where one
    // bad document among good ones must stop everything before the first is applied.
    private static IEnumerable<BadInputCase> Manifests()
    {
        yield return Manifest("manifest: no kind", "apiVersion: v1\nmetadata:\n  name: x\n  namespace: default\n", "ManifestInvalid", 1);
        yield return Manifest("manifest: no apiVersion", "kind: ConfigMap\nmetadata:\n  name: x\n  namespace: default\n", "ManifestInvalid", 1);
        yield return Manifest("manifest: no metadata.name", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  namespace: default\n", "ManifestInvalid", 1);
        yield return Manifest("manifest: no metadata at all", "apiVersion: v1\nkind: ConfigMap\ndata: { a: b }\n", "ManifestInvalid", 1);
        yield return Manifest("manifest: metadata is a list", "apiVersion: v1\nkind: ConfigMap\nmetadata: [x]\n", "ManifestInvalid", 1);
        yield return Manifest("manifest: kind is a mapping", "apiVersion: v1\nkind: { a: b }\nmetadata: { name: x }\n", "ManifestInvalid", 1);
        yield return Manifest("manifest: unknown kind 'ConfigMapp'", "apiVersion: v1\nkind: ConfigMapp\nmetadata: { name: x, namespace: default }\n", "ResourceKindUnknown", nonTerminating: true);
        yield return Manifest("manifest: unknown kind 'Deploymnet'", "apiVersion: apps/v1\nkind: Deploymnet\nmetadata: { name: x, namespace: default }\n", "ResourceKindUnknown", nonTerminating: true);
        yield return Manifest("manifest: wrong apiVersion apps/v1 for a ConfigMap", "apiVersion: apps/v1\nkind: ConfigMap\nmetadata: { name: x, namespace: default }\n", "ResourceKindUnknown", nonTerminating: true);
        yield return Manifest("manifest: retired apiVersion extensions/v1beta1 Deployment", "apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: { name: x, namespace: default }\n", "ResourceKindUnknown", nonTerminating: true);
        yield return Manifest("manifest: apiVersion v2", "apiVersion: v2\nkind: ConfigMap\nmetadata: { name: x, namespace: default }\n", "ResourceKindUnknown", nonTerminating: true);
        yield return Manifest("manifest: a CRD's kind at a version it does not serve", "apiVersion: velero.io/v9\nkind: Schedule\nmetadata: { name: x, namespace: default }\n", "ResourceKindUnknown", crds: true, nonTerminating: true);
        yield return Manifest("manifest: a bad indentation", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n namespace: default\n", "ManifestParseFailed", 5, 2);
        yield return Manifest("manifest: an unclosed quote", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"x\n", "ManifestParseFailed", 4, 9);
        yield return Manifest("manifest: a tab for indentation", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n", "ManifestParseFailed", 4, 1);
        yield return Manifest("manifest: an unclosed flow sequence", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: [a, b\n", "ManifestParseFailed", 5, 1);
        yield return Manifest("manifest: the same key twice", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: { name: x }\n", "ManifestParseFailed", 3, 1);
        yield return Manifest("manifest: JSON cut short", "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n", "ManifestParseFailed", 2, 1);
        yield return Manifest("manifest: an unsupported tag", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\ndata: { a: !!binary2 x }\n", "ManifestParseFailed", 4, 12);
        yield return Manifest("manifest: a document that is a list", "- apiVersion: v1\n  kind: ConfigMap\n", "ManifestInvalid", 1);
        yield return Manifest("manifest: a document that is a plain value", "hello world\n", "ManifestInvalid", 1);
        yield return Manifest("manifest: a List whose second item has no kind", """
            apiVersion: v1
            kind: List
            items:
              - apiVersion: v1
                kind: ConfigMap
                metadata: { name: bad-input-list-a, namespace: default }
              - apiVersion: v1
                metadata: { name: bad-input-list-b, namespace: default }
            """, "ManifestInvalid", 1);

        // One bad document among good ones: nothing is applied, the error names the bad one's line.
        yield return Manifest("manifest: good, then no kind", GoodConfigMap + "\n---\napiVersion: v1\nmetadata: { name: x, namespace: default }\n", "ManifestInvalid", 9);
        yield return Manifest("manifest: good, good, then unparseable", GoodConfigMap + "\n---\n" + GoodConfigMap.Replace("bad-input-good", "bad-input-good2") + "\n---\nkind: [\n", "ManifestParseFailed", 18);
        yield return Manifest("manifest: no kind, then good", "apiVersion: v1\nmetadata: { name: x, namespace: default }\n---\n" + GoodConfigMap, "ManifestInvalid", 1);
        yield return Manifest("manifest: good, then no name", GoodConfigMap + "\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { namespace: default }\n", "ManifestInvalid", 9);

        // Other commands that read manifests.
        yield return Manifest("manifest: Publish-FleetWorkload, no kind", "apiVersion: v1\nmetadata: { name: x, namespace: default }\n", "ManifestInvalid", 1, command: "Publish-FleetWorkload -Path ./app.yaml -Confirm:$false");
        yield return Manifest("manifest: Publish-FleetWorkload, good then unparseable", GoodConfigMap + "\n---\nmetadata: [\n", "ManifestParseFailed", 10, command: "Publish-FleetWorkload -Path ./app.yaml -Confirm:$false");
        yield return Manifest("manifest: Compare-FleetWorkload, no apiVersion", "kind: ConfigMap\nmetadata: { name: x, namespace: default }\n", "ManifestInvalid", 1, command: "Compare-FleetWorkload -Path ./app.yaml");
        yield return Manifest("manifest: Compare-FleetWorkload, bad YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x\n", "ManifestParseFailed", 4, command: "Compare-FleetWorkload -Path ./app.yaml");
        yield return Manifest("manifest: Set-FleetRbac -Path, a ConfigMap", GoodConfigMap, "ManifestInvalid", 1, command: "Set-FleetRbac -Path ./app.yaml -Confirm:$false");
        yield return Manifest("manifest: Set-FleetRbac -Path, bad YAML", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nrules: [\n", "ManifestParseFailed", 4, command: "Set-FleetRbac -Path ./app.yaml -Confirm:$false");
        yield return Manifest("manifest: Test-FleetRbac -Path, a Role with no kind", "apiVersion: rbac.authorization.k8s.io/v1\nmetadata: { name: r, namespace: default }\nrules: []\n", "ManifestInvalid", 1, command: "Test-FleetRbac -Path ./app.yaml");
        yield return Manifest("manifest: Sync-FleetSecret -Path, a ConfigMap", GoodConfigMap, "SecretManifestInvalid", 0, command: "Sync-FleetSecret -Path ./app.yaml -Confirm:$false");
        yield return Manifest("manifest: Sync-FleetSecret -Path, bad YAML", "apiVersion: v1\nkind: Secret\nmetadata: { name: s\n", "ManifestParseFailed", 4, command: "Sync-FleetSecret -Path ./app.yaml -Confirm:$false");
        yield return Manifest("manifest: Test-FleetSecret -Path, a Secret with no name", "apiVersion: v1\nkind: Secret\nmetadata: { namespace: default }\nstringData: { a: b }\n", "ManifestInvalid", 1, command: "Test-FleetSecret -Path ./app.yaml");

        yield return Line("manifest: -Path names no file", "Invoke-FleetApply -Path ./missing.yaml -Confirm:$false", "ManifestInvalid");
        yield return new BadInputCase("manifest: an empty file", "Invoke-FleetApply -Path ./app.yaml -Confirm:$false", "ManifestInvalid", "app.yaml", Files: OneFile("app.yaml", ""));
        yield return new BadInputCase("manifest: only comments and separators", "Publish-FleetWorkload -Path ./app.yaml -Cluster prod-a -Confirm:$false", "ManifestInvalid", "app.yaml", Files: OneFile("app.yaml", "# nothing yet\n---\n---\n"));
        yield return new BadInputCase("manifest: a folder without YAML", "Invoke-FleetApply -Path ./empty -Confirm:$false", "ManifestInvalid", "empty", Files: OneFile("empty/readme.txt", "nothing"));
        yield return Line("manifest: a piped hashtable without kind", "@{ apiVersion = 'v1'; metadata = @{ name = 'x'; namespace = 'default' } } | Invoke-FleetApply -Confirm:$false", "ManifestInvalid");
        yield return Line("manifest: a piped string", "'hello' | Invoke-FleetApply -Confirm:$false", "ManifestInvalid");
        yield return Line("manifest: a piped number", "42 | Invoke-FleetApply -Confirm:$false", "ManifestInvalid");
        yield return Line("manifest: a piped hashtable with an unknown kind", "@{ apiVersion = 'v1'; kind = 'ConfigMapp'; metadata = @{ name = 'x'; namespace = 'default' } } | Invoke-FleetApply -Confirm:$false", "ResourceKindUnknown", nonTerminating: true);
        yield return Line("manifest: a piped good object then one without name", "@{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ name = 'bad-input-p'; namespace = 'default' } }, @{ apiVersion = 'v1'; kind = 'ConfigMap'; metadata = @{ namespace = 'default' } } | Invoke-FleetApply -Confirm:$false", "ManifestInvalid");
    }
}
