using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace MultiCluster.Testing.ApiServer;

/// <summary>Identifies a stored object; Namespace is "" for cluster-scoped objects.</summary>
public readonly record struct ObjectKey(string Group, string Resource, string Namespace, string Name)
{
    public static ObjectKey For(ResourceType type, string? ns, string name) =>
        new(type.Group, type.Plural, type.Namespaced ? ns ?? "" : "", name);
}

public enum WatchEventType { Added, Modified, Deleted }

/// <summary>
/// One change of the store. <see cref="Object"/> is the stored snapshot: treat it as read-only
/// (DeepClone before changing it).
/// </summary>
public sealed record StoreEvent(WatchEventType Type, ObjectKey Key, JsonObject Object, long ResourceVersion)
{
    /// <summary>For MODIFIED: the object before the change (read-only, like <see cref="Object"/>).</summary>
    public JsonObject? OldObject { get; init; }

    public string TypeName => Type switch
    {
        WatchEventType.Added => "ADDED",
        WatchEventType.Modified => "MODIFIED",
        _ => "DELETED",
    };
}

/// <summary>A list answer: cloned items in namespace/name order and the store's resourceVersion at that moment.</summary>
public sealed record StoreList(IReadOnlyList<JsonObject> Items, long ResourceVersion);

/// <summary>How a delete treats dependents (ownerReferences), as the propagationPolicy option.</summary>
public enum DeletionPropagation { Background, Foreground, Orphan }

/// <summary>
/// The in-memory object store of one emulated cluster: JSON objects keyed by (group, resource,
/// namespace, name), one cluster-wide resourceVersion counter, uid, creationTimestamp,
/// generation, finalizer-aware deletion, ownerReference garbage collection, namespace cleanup,
/// and change events for watches and controllers. Every method returns clones; callers may
/// change what they get.
/// </summary>
public sealed class ObjectStore
{
    private const int HistoryLimit = 20_000;

    private readonly object gate = new();
    private readonly Dictionary<(string Group, string Resource), SortedDictionary<(string Ns, string Name), JsonObject>> tables = new();
    private readonly LinkedList<StoreEvent> history = new();
    private readonly List<Subscriber> subscribers = new();
    private readonly Func<DateTimeOffset> now;
    private long revision;
    private long compactedRevision;

    public ObjectStore(Func<DateTimeOffset>? clock = null)
    {
        now = clock ?? (() => DateTimeOffset.UtcNow);
        revision = 1;
    }

    /// <summary>
    /// Raised after every change, in resourceVersion order, while the store's lock is held:
    /// handlers must be quick and must not block on other threads that use the store (queue work instead).
    /// The object is a clone the handler may keep.
    /// </summary>
    public event Action<StoreEvent>? Changed;

    /// <summary>Resolves a resource to its type, for garbage collection and namespace cleanup.</summary>
    public Func<string, string, ResourceType?>? TypeResolver { get; set; }

    public long CurrentResourceVersion
    {
        get { lock (gate) return revision; }
    }

    public JsonObject? Get(ResourceType type, string? ns, string name)
    {
        if (type.StoredAs is { } view) return Get(view.Storage, ns, name) is { } stored ? view.FromStorage(stored) : null;
        lock (gate)
            return Table(type).TryGetValue(KeyOf(type, ns, name), out var obj) ? obj.DeepClone().AsObject() : null;
    }

    /// <summary>Objects of a type, in one namespace or (ns null) across all.</summary>
    public StoreList List(ResourceType type, string? ns)
    {
        if (type.StoredAs is { } view)
        {
            var stored = List(view.Storage, ns);
            return stored with { Items = stored.Items.Select(view.FromStorage).ToList() };
        }
        lock (gate)
        {
            var items = Table(type)
                .Where(kv => ns is null || !type.Namespaced || kv.Key.Ns == ns)
                .Select(kv => kv.Value.DeepClone().AsObject())
                .ToList();
            return new StoreList(items, revision);
        }
    }

    /// <summary>Stores a new object; sets uid, resourceVersion, creationTimestamp, generation and a name from generateName.</summary>
    public JsonObject Create(ResourceType type, JsonObject obj)
    {
        if (type.StoredAs is { } view) return view.FromStorage(Create(view.Storage, view.ToStorage(obj)));
        lock (gate)
        {
            var stored = obj.DeepClone().AsObject();
            var meta = Metadata(stored);
            var ns = type.Namespaced ? meta["namespace"]?.GetValue<string>() ?? "" : "";
            if (!type.Namespaced) meta.Remove("namespace");
            var name = meta["name"]?.GetValue<string>();
            var table = Table(type);
            if (string.IsNullOrEmpty(name))
            {
                var prefix = meta["generateName"]?.GetValue<string>() ?? "";
                do name = prefix + RandomSuffix(); while (table.ContainsKey((ns, name)));
                meta["name"] = name;
            }
            if (table.ContainsKey((ns, name))) throw ApiStatusException.AlreadyExists(type, name);
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = Timestamp(now());
            meta.Remove("deletionTimestamp");
            meta.Remove("deletionGracePeriodSeconds");
            if (type.TracksGeneration) meta["generation"] = 1;
            else meta.Remove("generation");
            var rv = ++revision;
            meta["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            OrderMetadata(stored);
            table[(ns, name)] = stored;
            Publish(new StoreEvent(WatchEventType.Added, new ObjectKey(type.Group, type.Plural, ns, name), stored, rv));
            return stored.DeepClone().AsObject();
        }
    }

    /// <summary>
    /// Replaces an object. A non-empty metadata.resourceVersion must match the stored one (409
    /// Conflict otherwise). uid and creationTimestamp are kept; generation is bumped when anything
    /// but metadata and status changed (or anything but metadata, for types without a status
    /// subresource). An object being deleted whose finalizers are now empty is removed.
    /// </summary>
    public JsonObject Update(ResourceType type, JsonObject obj)
    {
        if (type.StoredAs is { } view) return view.FromStorage(Update(view.Storage, view.ToStorage(obj)));
        lock (gate)
        {
            var updated = obj.DeepClone().AsObject();
            var meta = Metadata(updated);
            var ns = type.Namespaced ? meta["namespace"]?.GetValue<string>() ?? "" : "";
            var name = meta["name"]?.GetValue<string>() ?? "";
            var table = Table(type);
            if (!table.TryGetValue((ns, name), out var old)) throw ApiStatusException.NotFound(type, name);
            var oldMeta = Metadata(old);
            var requestedRv = meta["resourceVersion"]?.GetValue<string>();
            if (!string.IsNullOrEmpty(requestedRv) && requestedRv != oldMeta["resourceVersion"]!.GetValue<string>())
                throw ApiStatusException.StaleResourceVersion(type, name);

            meta["uid"] = oldMeta["uid"]!.DeepClone();
            meta["creationTimestamp"] = oldMeta["creationTimestamp"]!.DeepClone();
            CopyOrRemove(oldMeta, meta, "deletionTimestamp");
            CopyOrRemove(oldMeta, meta, "deletionGracePeriodSeconds");
            if (!type.Namespaced) meta.Remove("namespace");
            if (type.TracksGeneration)
            {
                var generation = JsonNumbers.TryGetInt64(oldMeta["generation"], out var g) ? g : 1;
                meta["generation"] = SpecChanged(type, old, updated) ? generation + 1 : generation;
            }
            else meta.Remove("generation");

            if (meta["deletionTimestamp"] is not null && !HasFinalizers(meta))
            {
                meta["resourceVersion"] = oldMeta["resourceVersion"]!.DeepClone();
                return RemoveLocked(type, ns, name, updated, DeletionPropagation.Background);
            }
            if (JsonNode.DeepEquals(WithoutVolatileMetadata(old), WithoutVolatileMetadata(updated)))
                return old.DeepClone().AsObject();

            var rv = ++revision;
            meta["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
            OrderMetadata(updated);
            table[(ns, name)] = updated;
            Publish(new StoreEvent(WatchEventType.Modified, new ObjectKey(type.Group, type.Plural, ns, name), updated, rv) { OldObject = old });
            return updated.DeepClone().AsObject();
        }
    }

    /// <summary>
    /// Deletes an object: with finalizers it only gets a deletionTimestamp (and is removed when an
    /// update empties them); without, it is removed, its dependents are collected and, for a
    /// namespace, everything in it is removed. Returns the object as last stored.
    /// </summary>
    public JsonObject Delete(ResourceType type, string? ns, string name, string? expectedUid = null,
        string? expectedResourceVersion = null, DeletionPropagation propagation = DeletionPropagation.Background)
    {
        if (type.StoredAs is { } view)
            return view.FromStorage(Delete(view.Storage, ns, name, expectedUid, expectedResourceVersion, propagation));
        lock (gate)
        {
            var key = KeyOf(type, ns, name);
            if (!Table(type).TryGetValue(key, out var old)) throw ApiStatusException.NotFound(type, name);
            var oldMeta = Metadata(old);
            if (expectedUid is not null && expectedUid != oldMeta["uid"]?.GetValue<string>())
                throw ApiStatusException.Conflict(type, name,
                    $"Precondition failed: UID in precondition: {expectedUid}, UID in object meta: {oldMeta["uid"]}");
            if (expectedResourceVersion is not null && expectedResourceVersion != oldMeta["resourceVersion"]?.GetValue<string>())
                throw ApiStatusException.Conflict(type, name,
                    $"Precondition failed: ResourceVersion in precondition: {expectedResourceVersion}, ResourceVersion in object meta: {oldMeta["resourceVersion"]}");
            if (HasFinalizers(oldMeta))
            {
                if (oldMeta["deletionTimestamp"] is not null) return old.DeepClone().AsObject();
                var marked = old.DeepClone().AsObject();
                var meta = Metadata(marked);
                meta["deletionTimestamp"] = Timestamp(now());
                meta["deletionGracePeriodSeconds"] = 0;
                var rv = ++revision;
                meta["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
                OrderMetadata(marked);
                Table(type)[key] = marked;
                Publish(new StoreEvent(WatchEventType.Modified, new ObjectKey(type.Group, type.Plural, key.Ns, name), marked, rv) { OldObject = old });
                return marked.DeepClone().AsObject();
            }
            return RemoveLocked(type, key.Ns, name, old, propagation);
        }
    }

    /// <summary>Removes every object of a type (a CRD's objects when the CRD goes away).</summary>
    public void DeleteAll(ResourceType type)
    {
        lock (gate)
        {
            foreach (var key in Table(type).Keys.ToList())
                RemoveLocked(type, key.Ns, key.Name, Table(type)[key], DeletionPropagation.Background);
            tables.Remove((type.Group, type.Plural));
        }
    }

    /// <summary>
    /// Starts a watch on a type (optionally one namespace). Without a resourceVersion (or "0")
    /// the current objects come first as ADDED; with one, the changes after it are replayed
    /// (410 Expired when it is older than the kept history).
    /// </summary>
    public StoreWatch Watch(ResourceType type, string? ns, string? fromResourceVersion)
    {
        var view = type.StoredAs;
        if (view is not null) type = view.Storage;
        lock (gate)
        {
            var channel = Channel.CreateUnbounded<StoreEvent>(new UnboundedChannelOptions { SingleReader = true });
            var subscriber = new Subscriber(type.Group, type.Plural, type.Namespaced ? ns : null, channel.Writer, view?.FromStorage);
            if (string.IsNullOrEmpty(fromResourceVersion) || fromResourceVersion == "0")
            {
                foreach (var kv in Table(type).Where(kv => subscriber.Namespace is null || kv.Key.Ns == subscriber.Namespace))
                {
                    var rv = long.Parse(Metadata(kv.Value)["resourceVersion"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    subscriber.Write(new StoreEvent(WatchEventType.Added,
                        new ObjectKey(type.Group, type.Plural, kv.Key.Ns, kv.Key.Name), kv.Value, rv));
                }
            }
            else
            {
                if (!long.TryParse(fromResourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var from))
                    throw ApiStatusException.BadRequest($"invalid resource version \"{fromResourceVersion}\"");
                var oldest = history.First?.Value.ResourceVersion ?? revision + 1;
                if ((from < oldest - 1 && history.Count >= HistoryLimit) || from < compactedRevision)
                    throw ApiStatusException.Gone($"too old resource version: {from} ({Math.Max(oldest - 1, compactedRevision)})");
                foreach (var e in history.Where(e => e.ResourceVersion > from && subscriber.Matches(e.Key)))
                    subscriber.Write(e);
            }
            subscribers.Add(subscriber);
            return new StoreWatch(channel.Reader, () =>
            {
                lock (gate) subscribers.Remove(subscriber);
                channel.Writer.TryComplete();
            });
        }
    }

    /// <summary>
    /// Forgets the change history up to now, as etcd's compaction does: a watch from an older
    /// resourceVersion is then answered 410 Expired ("too old resource version"), and its client must list again.
    /// </summary>
    public void Compact()
    {
        lock (gate)
        {
            history.Clear();
            compactedRevision = revision;
        }
    }

    /// <summary>Ends every watch (the instance is stopping).</summary>
    public void CloseAllWatches()
    {
        lock (gate)
        {
            foreach (var s in subscribers) s.Writer.TryComplete();
            subscribers.Clear();
        }
    }

    private JsonObject RemoveLocked(ResourceType type, string ns, string name, JsonObject last, DeletionPropagation propagation)
    {
        var table = Table(type);
        table.Remove((ns, name));
        var removed = last.DeepClone().AsObject();
        var rv = ++revision;
        Metadata(removed)["resourceVersion"] = rv.ToString(CultureInfo.InvariantCulture);
        Publish(new StoreEvent(WatchEventType.Deleted, new ObjectKey(type.Group, type.Plural, ns, name), removed, rv));

        if (type.Group == "" && type.Plural == "namespaces") RemoveNamespaceContents(name);
        var uid = Metadata(removed)["uid"]?.GetValue<string>();
        if (uid is not null) CollectDependents(uid, propagation);
        return removed.DeepClone().AsObject();
    }

    private void RemoveNamespaceContents(string ns)
    {
        foreach (var ((group, resource), table) in tables.ToList())
        {
            var type = TypeResolver?.Invoke(group, resource);
            if (type is null || !type.Namespaced) continue;
            foreach (var key in table.Keys.Where(k => k.Ns == ns).ToList())
                if (table.TryGetValue(key, out var obj))
                    RemoveLocked(type, ns, key.Name, obj, DeletionPropagation.Background);
        }
    }

    private void CollectDependents(string ownerUid, DeletionPropagation propagation)
    {
        foreach (var ((group, resource), table) in tables.ToList())
        {
            var type = TypeResolver?.Invoke(group, resource);
            if (type is null) continue;
            foreach (var (key, obj) in table.ToList())
            {
                if (Metadata(obj)["ownerReferences"] is not JsonArray owners) continue;
                if (!owners.Any(o => o?["uid"]?.GetValue<string>() == ownerUid)) continue;
                var remaining = owners.Where(o => o?["uid"]?.GetValue<string>() != ownerUid).ToList();
                if (remaining.Count == 0 && propagation != DeletionPropagation.Orphan)
                {
                    if (table.ContainsKey(key)) Delete(type, key.Ns, key.Name);
                    continue;
                }
                var updated = obj.DeepClone().AsObject();
                var meta = Metadata(updated);
                if (remaining.Count == 0) meta.Remove("ownerReferences");
                else meta["ownerReferences"] = new JsonArray(remaining.Select(o => o!.DeepClone()).ToArray());
                meta.Remove("resourceVersion");
                Update(type, updated);
            }
        }
    }

    private void Publish(StoreEvent e)
    {
        history.AddLast(e);
        if (history.Count > HistoryLimit) history.RemoveFirst();
        foreach (var s in subscribers)
            if (s.Matches(e.Key)) s.Write(e);
        var handlers = Changed;
        if (handlers is not null)
            handlers(e with { Object = e.Object.DeepClone().AsObject(), OldObject = e.OldObject?.DeepClone().AsObject() });
    }

    private SortedDictionary<(string Ns, string Name), JsonObject> Table(ResourceType type)
    {
        if (!tables.TryGetValue((type.Group, type.Plural), out var table))
            tables[(type.Group, type.Plural)] = table = new SortedDictionary<(string, string), JsonObject>();
        return table;
    }

    private static (string Ns, string Name) KeyOf(ResourceType type, string? ns, string name) =>
        (type.Namespaced ? ns ?? "" : "", name);

    private static JsonObject Metadata(JsonObject obj)
    {
        if (obj["metadata"] is JsonObject meta) return meta;
        meta = new JsonObject();
        obj["metadata"] = meta;
        return meta;
    }

    private static bool HasFinalizers(JsonObject meta) => meta["finalizers"] is JsonArray { Count: > 0 };

    private static void CopyOrRemove(JsonObject from, JsonObject to, string field)
    {
        if (from[field] is { } value) to[field] = value.DeepClone();
        else to.Remove(field);
    }

    private static bool SpecChanged(ResourceType type, JsonObject old, JsonObject updated)
    {
        static JsonObject Strip(JsonObject o, bool dropStatus)
        {
            var copy = o.DeepClone().AsObject();
            copy.Remove("metadata");
            if (dropStatus) copy.Remove("status");
            return copy;
        }
        var dropStatus = type.HasStatus || !type.IsCustom;
        return !JsonNode.DeepEquals(Strip(old, dropStatus), Strip(updated, dropStatus));
    }

    // A write that changes nothing is not stored. managedFields count (a change to them alone is stored and
    // bumps the resourceVersion, as on a real server), but not their timestamps, which every write renews.
    private static JsonObject WithoutVolatileMetadata(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        if (copy["metadata"] is JsonObject meta)
        {
            meta.Remove("resourceVersion");
            foreach (var entry in (meta["managedFields"] as JsonArray ?? []).OfType<JsonObject>()) entry.Remove("time");
        }
        return copy;
    }

    // The real server writes metadata in a fixed field order; kubectl output looks familiar when we do too.
    private static readonly string[] MetadataOrder =
    [
        "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    private static void OrderMetadata(JsonObject obj)
    {
        if (obj["metadata"] is not JsonObject meta) return;
        var ordered = new JsonObject();
        var entries = meta.ToList();
        meta.Clear();
        foreach (var field in MetadataOrder)
            foreach (var kv in entries.Where(kv => kv.Key == field))
                ordered[kv.Key] = kv.Value;
        foreach (var kv in entries.Where(kv => !MetadataOrder.Contains(kv.Key)))
            ordered[kv.Key] = kv.Value;
        obj["metadata"] = ordered;
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        Span<char> chars = stackalloc char[5];
        for (var i = 0; i < chars.Length; i++) chars[i] = alphabet[Random.Shared.Next(alphabet.Length)];
        return new string(chars);
    }

    private sealed record Subscriber(string Group, string Resource, string? Namespace, ChannelWriter<StoreEvent> Writer,
        Func<JsonObject, JsonObject>? View)
    {
        /// <summary>Hands a change to the watch, converted when it watches another API's view of the storage.</summary>
        public void Write(StoreEvent e) => Writer.TryWrite(View is null ? e
            : e with { Object = View(e.Object), OldObject = e.OldObject is null ? null : View(e.OldObject) });

        public bool Matches(ObjectKey key) =>
            key.Group == Group && key.Resource == Resource && (Namespace is null || key.Namespace == Namespace);
    }
}

/// <summary>A running store watch; dispose to stop it.</summary>
public sealed class StoreWatch(ChannelReader<StoreEvent> events, Action stop) : IDisposable
{
    public ChannelReader<StoreEvent> Events { get; } = events;
    public void Dispose() => stop();
}
