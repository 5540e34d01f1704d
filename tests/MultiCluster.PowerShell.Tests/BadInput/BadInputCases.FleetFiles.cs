namespace MultiCluster.PowerShell.Tests.BadInput;

public static partial class BadInputCases
{
    // Every key of the clusters layout misspelt once, bad YAML, duplicates, bad CIDRs, ids, roles, labels.
    private static IEnumerable<BadInputCase> FleetFiles()
    {
        foreach (var (typo, right) in new[] { ("cluster", "clusters"), ("Clusters", "clusters"), ("nmae", "name"), ("architecure", "architecture") })
        {
            yield return Fleet($"fleet file: top-level key '{typo}' for '{right}'", $"""
                name: f
                {typo}: []
                clusters:
                  - name: a
                    context: {"{ctx0}"}
                """, 2, 1);
        }
        foreach (var (typo, value) in new[]
        {
            ("contxt", "{ctx0}"), ("regoin", "us-east-1"), ("lables", "{ env: prod }"), ("rol", "management"), ("alias", "[x]"),
            ("kubeconifg", "./k"), ("provder", "aws"), ("netwrok", "{ podCidr: 10.0.0.0/16 }"), ("drpeer", "b"),
            ("purpse", "dr"), ("k8s-version", "v1.32.0"), ("Size", "large"), ("Name", "a2"),
        })
        {
            yield return Fleet($"fleet file: cluster key '{typo}'", $"""
                clusters:
                  - name: a
                    context: {"{ctx0}"}
                    {typo}: {value}
                """, 4, 5);
        }
        foreach (var typo in new[] { "podCIDR", "servicecidr", "clusterID", "meshnetwork", "cidr" })
        {
            yield return Fleet($"fleet file: network key '{typo}'", $"""
                clusters:
                  - name: a
                    context: {"{ctx0}"}
                    network:
                      {typo}: x
                """, 5, 7);
        }
        foreach (var (typo, line, column) in new[] { ("regionz", 2, 3), ("managment", 2, 3), ("networkng", 2, 3) })
        {
            yield return Fleet($"fleet file: architecture key '{typo}'", $"""
                architecture:
                  {typo}: []
                """, line, column);
        }
        yield return Fleet("fleet file: region key 'cluster' in the architecture layout", """
            architecture:
              regions:
                - name: us-east-1
                  cluster: []
            """, 4, 7);
        yield return Fleet("fleet file: management key 'clustr'", """
            architecture:
              regions:
                - name: us-east-1
                  clusters: [ { name: a } ]
              management: { clustr: a }
            """, 5, 17);

        // YAML that does not parse.
        yield return Fleet("fleet file: a tab for indentation", "clusters:\n\t- name: a\n", 2, 1);
        yield return Fleet("fleet file: an unclosed quote", "clusters:\n  - name: \"a\n    context: x\n", 2, 11);
        yield return Fleet("fleet file: an unclosed flow mapping", "clusters:\n  - { name: a, context: x\n", 3, 1);
        yield return Fleet("fleet file: a key at a deeper indent than its sibling", "clusters:\n  - name: a\n     context: x\n", 3, 13);
        yield return Fleet("fleet file: the same key twice in one cluster", "clusters:\n  - name: a\n    name: b\n", 3, 5);
        yield return Fleet("fleet file: two YAML documents", "clusters:\n  - name: a\n---\nclusters:\n  - name: b\n", 4, 1);
        yield return new BadInputCase("fleet file: empty", "Import-Fleet ./fleet.yaml -Kubeconfig $kc", "FleetFileInvalid", "fleet.yaml", Files: OneFile("fleet.yaml", ""));
        yield return Fleet("fleet file: a list at the top", "- name: a\n- name: b\n", 1, 1);
        yield return Fleet("fleet file: 'clusters' is a mapping", "clusters:\n  a: { context: x }\n", 2, 3);
        yield return Fleet("fleet file: a cluster is a plain value", "clusters:\n  - a\n", 2, 5);
        yield return Fleet("fleet file: a cluster without a name", "clusters:\n  - context: x\n    region: r\n", 2, 5);
        yield return Fleet("fleet file: a cluster with an empty name", "clusters:\n  - name: ''\n    context: x\n", 2, 11);
        yield return Fleet("fleet file: a cluster's name is a list", "clusters:\n  - name: [a, b]\n", 2, 11);
        yield return Fleet("fleet file: only a name, no clusters", "name: lonely\n", 1, 1);

        // Duplicates and aliases.
        yield return Fleet("fleet file: two clusters with one name", """
            clusters:
              - name: a
                context: {ctx0}
              - name: a
                context: {ctx1}
            """, 4, 11);
        yield return Fleet("fleet file: the same name in two regions of the architecture layout", """
            architecture:
              regions:
                - name: us-east-1
                  clusters: [ { name: a } ]
                - name: eu-west-1
                  clusters: [ { name: a } ]
            """, 6, 27);
        yield return Fleet("fleet file: an alias that is another cluster's name", """
            clusters:
              - name: a
                aliases: [b]
              - name: b
            """, 3, 15);
        yield return Fleet("fleet file: one alias on two clusters", """
            clusters:
              - name: a
                aliases: [shared]
              - name: b
                aliases: [shared]
            """, 5, 15);
        yield return Fleet("fleet file: a wildcard in an alias", "clusters:\n  - name: a\n    aliases: ['prod-*']\n", 3, 15);
        yield return Fleet("fleet file: an empty alias", "clusters:\n  - name: a\n    aliases: ['']\n", 3, 15);

        // CIDRs and cluster ids.
        foreach (var (cidr, key) in new[]
        {
            ("10.0.0.0/33", "podCidr"), ("10.0.0.300/16", "podCidr"), ("not-a-cidr", "serviceCidr"), ("10.0.0.0", "serviceCidr"),
            ("10.0.0.0/-1", "podCidr"), ("fd00::/129", "podCidr"), ("10.0.0.0/16/8", "serviceCidr"),
        })
        {
            yield return Fleet($"fleet file: {key} '{cidr}'", $"""
                clusters:
                  - name: a
                    network:
                      {key}: '{cidr}'
                """, 4, 9 + key.Length);
        }
        foreach (var id in new[] { "0", "-1", "512", "70000", "one", "1.5" })
        {
            yield return Fleet($"fleet file: clusterId {id}", $"""
                clusters:
                  - name: a
                    network:
                      clusterId: {id}
                """, 4, 18);
        }

        // Roles and labels.
        foreach (var role in new[] { "boss", "Management2", "mgmt" })
            yield return Fleet($"fleet file: role '{role}'", $"clusters:\n  - name: a\n    role: {role}\n", 3, 11);
        foreach (var (key, value, line, column) in new[]
        {
            ("-env", "prod", 4, 7), ("env!", "prod", 4, 7), ("a/b/c", "x", 4, 7), (new string('k', 64), "x", 4, 7),
            ("env", "two words", 4, 12), ("env", new string('v', 64), 4, 12), ("env", "-prod", 4, 12), ("example.com/", "x", 4, 7),
        })
        {
            yield return Fleet($"fleet file: label '{(key.Length > 20 ? key[..8] + "...(" + key.Length + ")" : key)}: {(value.Length > 20 ? value[..8] + "...(" + value.Length + ")" : value)}'", $"""
                clusters:
                  - name: a
                    labels:
                      {key}: '{value}'
                """, line, key == "env" ? 7 + key.Length + 2 : column);
        }
        yield return Fleet("fleet file: labels as a list", "clusters:\n  - name: a\n    labels: [env, prod]\n", 3, 13);
        yield return Fleet("fleet file: a region given as a list", "clusters:\n  - name: a\n    region: [us-east-1, eu-west-1]\n", 3, 13);

        yield return new BadInputCase("fleet file: a path that does not exist", "Import-Fleet ./no-such-fleet.yaml -Kubeconfig $kc", "FleetFileInvalid", "no-such-fleet.yaml");
        yield return new BadInputCase("fleet file: -Content with a misspelt key", "Import-Fleet -Content \"clusters:`n  - name: a`n    contxt: x\" -Kubeconfig $kc", "FleetFileInvalid", "<content>", 3, 5);
    }
}
