using MultiCluster.Engine.Resources;

namespace MultiCluster.Engine.Federation;

/// <summary>Names a federated workload on clusters without its template: kind, namespace and name (the workload label's value).</summary>
public sealed record WorkloadReference(string ApiVersion, string Kind, string? Namespace, string Name)
{
    /// <summary>
    /// The workload a user names by kind, namespace and name; the apiVersion is looked up for the
    /// kinds KubeFed federates when not given. Throws ResourceKindUnknown before any cluster is read.
    /// </summary>
    public static WorkloadReference Named(string? apiVersion, string kind, string? ns, string name) =>
        new(apiVersion ?? KnownKinds.ApiVersionOf(kind)
                ?? throw new Errors.FleetInputException(Errors.FleetErrorIds.ResourceKindUnknown, Errors.FleetErrorCategory.InvalidArgument, kind,
                    $"The apiVersion of kind {kind} is not known.", recommendedAction: "Give -ApiVersion."),
            kind, ns, name);

    public static WorkloadReference Of(WorkloadPlan plan) =>
        new(plan.Definition.Template.ApiVersion, plan.Definition.Template.Kind, plan.Definition.Template.Namespace, plan.Name);

    /// <summary>The label selector that finds the workload's objects: its workload label and the managed-by label.</summary>
    public string LabelSelector => $"{WorkloadDefinition.WorkloadLabel}={Name},{KubeObject.ManagedByLabel}={KubeObject.ManagedByValue}";

    public override string ToString() => $"{ApiVersion} {Kind} {(Namespace is null ? Name : Namespace + "/" + Name)}";
}
