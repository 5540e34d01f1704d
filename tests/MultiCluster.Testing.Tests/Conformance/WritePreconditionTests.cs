using System.Text.Json.Nodes;

namespace MultiCluster.Testing.Tests.Conformance;

/// <summary>
/// What a write body carries that the server treats as a precondition or as immutable: resourceVersion,
/// uid, a binding's roleRef; and managedFields, which are part of the object like any other field.
/// </summary>
[Trait("Category", "Conformance")]
public sealed class WritePreconditionTests
{
    // k8s.io/apiserver/pkg/registry/generic/registry/store.go (OptimisticLockErrorMsg), worded by
    // k8s.io/apimachinery/pkg/api/errors NewConflict: "Operation cannot be fulfilled on RESOURCE NAME: ERR".
    private const string OptimisticLock = "the object has been modified; please apply your changes to the latest version and try again";

    private static string Settings(string mode, string extraMetadata = "") =>
        $"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings{extraMetadata}}}\ndata: {{mode: {mode}}}\n";

    [ConformanceTheory]
    public async Task Update_with_a_stale_resourceVersion_is_409_Conflict_and_changes_nothing(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("", "v1", "configmaps", "settings");
        var created = (await t.ApplyAsync(path, Settings("blue"), "conformance")).ShouldHaveCode(201).Object;
        (await t.ApplyAsync(path, Settings("green"), "conformance")).ShouldHaveCode(200);
        var stale = created.DeepClone().AsObject();
        stale["data"]!["mode"] = "red";

        var message = (await t.SendAsync(HttpMethod.Put, path, stale.ToJsonString())).ShouldBeStatus(409, "Conflict");

        message.Should().Be($"Operation cannot be fulfilled on configmaps \"settings\": {OptimisticLock}");
        (await t.SendAsync(HttpMethod.Get, path)).StringAt("data", "mode").Should().Be("green");
    }

    [ConformanceTheory]
    public async Task Apply_with_a_stale_resourceVersion_is_409_Conflict_and_the_current_one_is_accepted(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("", "v1", "configmaps", "settings");
        var staleRv = (await t.ApplyAsync(path, Settings("blue"), "conformance")).ShouldHaveCode(201).StringAt("metadata", "resourceVersion");
        var currentRv = (await t.ApplyAsync(path, Settings("green"), "conformance")).ShouldHaveCode(200).StringAt("metadata", "resourceVersion");

        var message = (await t.ApplyAsync(path, Settings("red", $", resourceVersion: \"{staleRv}\""), "conformance")).ShouldBeStatus(409, "Conflict");

        message.Should().Be($"Operation cannot be fulfilled on configmaps \"settings\": {OptimisticLock}");
        (await t.SendAsync(HttpMethod.Get, path)).StringAt("data", "mode").Should().Be("green");
        (await t.ApplyAsync(path, Settings("red", $", resourceVersion: \"{currentRv}\""), "conformance")).ShouldHaveCode(200)
            .StringAt("data", "mode").Should().Be("red");
    }

    [ConformanceTheory]
    public async Task Update_with_another_uid_fails_its_UID_precondition_with_409_and_apply_of_it_is_422_immutable(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("", "v1", "configmaps", "settings");
        var created = (await t.ApplyAsync(path, Settings("blue"), "conformance")).ShouldHaveCode(201).Object;
        var uid = created["metadata"]!["uid"]!.GetValue<string>();
        const string otherUid = "00000000-0000-0000-0000-000000000001";
        var replacement = created.DeepClone().AsObject();
        replacement["metadata"]!["uid"] = otherUid;
        replacement["data"]!["mode"] = "green";

        // A PUT's uid is a precondition (rest.DefaultUpdatedObjectInfo.Preconditions); the storage
        // check words it (k8s.io/apiserver/pkg/storage/interfaces.go, Preconditions.Check) and the
        // registry turns it into a Conflict.
        var putMessage = (await t.SendAsync(HttpMethod.Put, path, replacement.ToJsonString())).ShouldBeStatus(409, "Conflict");
        putMessage.Should().Be($"Operation cannot be fulfilled on configmaps \"settings\": Precondition failed: UID in precondition: {otherUid}, UID in object meta: {uid}");

        // A patch has no uid precondition; the patched object fails ValidateObjectMetaUpdate
        // (k8s.io/apimachinery/pkg/api/validation/objectmeta.go: metadata.uid "field is immutable").
        var applyMessage = (await t.ApplyAsync(path, Settings("green", $", uid: {otherUid}"), "conformance")).ShouldBeStatus(422, "Invalid");
        applyMessage.Should().Be($"ConfigMap \"settings\" is invalid: metadata.uid: Invalid value: \"{otherUid}\": field is immutable");

        var live = await t.SendAsync(HttpMethod.Get, path);
        (live.StringAt("metadata", "uid"), live.StringAt("data", "mode")).Should().Be((uid, "blue"));
    }

    [ConformanceTheory]
    public async Task A_bindings_roleRef_cannot_change_422_while_its_subjects_may(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("rbac.authorization.k8s.io", "v1", "rolebindings", "readers");
        string Binding(string role, string user) => $$"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"readers"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"{{role}}"},
             "subjects":[{"apiGroup":"rbac.authorization.k8s.io","kind":"User","name":"{{user}}"}]}
            """;
        (await t.ApplyAsync(path, Binding("view", "alice"), "conformance")).ShouldHaveCode(201);

        var message = (await t.ApplyAsync(path, Binding("edit", "alice"), "conformance")).ShouldBeStatus(422, "Invalid");

        // pkg/apis/rbac/validation/validation.go ValidateRoleBindingUpdate: field.Invalid(roleRef, ..., "cannot change roleRef").
        // The value is printed with Go's %#v of the internal type (rbac.RoleRef{APIGroup:..., Kind:..., Name:"edit"}),
        // whose exact form is an implementation detail, so only the field, the new name and the reason are checked.
        message.Should().StartWith("RoleBinding.rbac.authorization.k8s.io \"readers\" is invalid: roleRef: Invalid value: ")
            .And.Contain("edit").And.EndWith(": cannot change roleRef");
        (await t.SendAsync(HttpMethod.Get, path)).StringAt("roleRef", "name").Should().Be("view");
        (await t.ApplyAsync(path, Binding("view", "bob"), "conformance")).ShouldHaveCode(200)
            .Object["subjects"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()).Should().Equal("bob");
    }

    [ConformanceTheory]
    public async Task An_update_that_changes_only_managedFields_is_stored_and_bumps_the_resourceVersion(string target)
    {
        await using var t = await ConformanceTarget.StartAsync(target);
        var path = t.PathOf("", "v1", "configmaps", "settings");
        var before = (await t.ApplyAsync(path, Settings("blue"), "first-owner")).ShouldHaveCode(201).Object;
        var changed = before.DeepClone().AsObject();
        var entries = changed["metadata"]!["managedFields"]!.AsArray();
        entries.Should().HaveCount(1);
        entries[0]!["manager"] = "renamed-owner";

        // The field manager takes managedFields from the request when it sets them (fieldmanager
        // decodeLiveOrNew), so the stored object differs and is written with a new resourceVersion.
        var after = (await t.SendAsync(HttpMethod.Put, path, changed.ToJsonString())).ShouldHaveCode(200);

        after.StringAt("metadata", "resourceVersion").Should().NotBe(before["metadata"]!["resourceVersion"]!.GetValue<string>());
        var stored = (await t.SendAsync(HttpMethod.Get, path)).Object["metadata"]!["managedFields"]!.AsArray();
        stored.Select(e => e!["manager"]!.GetValue<string>()).Should().Equal("renamed-owner");
    }
}
