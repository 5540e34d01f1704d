using System.Text.Json.Nodes;

namespace MultiCluster.PowerShell.Tests.Infrastructure;

/// <summary>
/// Argo CD Applications as Argo CD would leave them, status included, for clusters where Argo CD
/// itself does not run. Created with a plain POST: the Application CRD has no status subresource, so a
/// create keeps the status (a server-side apply from the module does not carry it).
/// </summary>
public static class ArgoApplications
{
    public static void Create(EmulatorProcess emulator, string context, string name, string applicationSet, string cluster, string sync, string health) =>
        emulator.CreateAsync(context, JsonNode.Parse($$$"""
            {"apiVersion":"argoproj.io/v1alpha1","kind":"Application",
             "metadata":{"name":"{{{name}}}","namespace":"argocd","labels":{"multicluster.io/applicationset":"{{{applicationSet}}}"} },
             "spec":{"project":"default","source":{"repoURL":"https://git.example.com/{{{applicationSet}}}.git","path":"overlays","targetRevision":"HEAD"},
                     "destination":{"name":"{{{cluster}}}","namespace":"{{{applicationSet}}}"} },
             "status":{"sync":{"status":"{{{sync}}}","revision":"4f2a9c1"},"health":{"status":"{{{health}}}"} } }
            """)!.AsObject()).GetAwaiter().GetResult();
}
