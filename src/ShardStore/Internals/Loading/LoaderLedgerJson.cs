using System.Globalization;
using System.Text.Json;

namespace ShardStore.Internals.Loading;

/// <summary>
/// A <see cref="LoaderLedger"/> as a member of a serialized <see cref="LoaderState"/>. A member whose value the state
/// already implies (<see cref="Defaults"/>: the state's epoch, position, world size and generation; the current
/// ledger's rank for the previous one) is left out, so two ledgers add about 230 bytes at most to a state;
/// docs/FORMAT.md ("Consumption ledger") lists the members and their defaults.
/// </summary>
internal static class LoaderLedgerJson
{
    /// <summary>Writes <paramref name="ledger"/> as member <paramref name="name"/>, leaving out what <paramref name="defaults"/> implies; nothing when it is null.</summary>
    public static void Write(Utf8JsonWriter w, string name, LoaderLedger? ledger, Defaults defaults)
    {
        if (ledger is null)
        {
            return;
        }

        w.WriteStartObject(name);
        if (ledger.Epoch != defaults.Epoch)
        {
            w.WriteNumber("epoch", ledger.Epoch);
        }

        if (ledger.Generation != defaults.Generation)
        {
            if (ledger.Generation is { } generation)
            {
                w.WriteNumber("generation", generation);
            }
            else
            {
                w.WriteNull("generation");
            }
        }

        if (ledger.From != defaults.From)
        {
            w.WriteNumber("from", ledger.From);
        }

        if (ledger.To != defaults.To)
        {
            w.WriteNumber("to", ledger.To);
        }

        if (ledger.Rank != defaults.Rank)
        {
            w.WriteNumber("rank", ledger.Rank);
        }

        if (ledger.WorldSize != defaults.WorldSize)
        {
            w.WriteNumber("worldSize", ledger.WorldSize);
        }

        w.WriteNumber("count", ledger.Count);
        w.WriteString("sum", ledger.Sum.ToString("x16", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    /// <summary>Reads member <paramref name="name"/>, taking what it leaves out from <paramref name="defaults"/>; null when it is absent.</summary>
    /// <exception cref="FormatException">A member is missing (with no default) or out of range.</exception>
    public static LoaderLedger? Read(JsonElement root, string name, Defaults defaults)
    {
        if (!root.TryGetProperty(name, out JsonElement e))
        {
            return null;
        }

        var ledger = new LoaderLedger
        {
            Epoch = e.TryGetProperty("epoch", out JsonElement epoch) ? epoch.GetInt32() : defaults.Epoch,
            Generation = !e.TryGetProperty("generation", out JsonElement g) ? defaults.Generation : g.ValueKind == JsonValueKind.Null ? null : g.GetInt32(),
            From = e.TryGetProperty("from", out JsonElement from) ? from.GetInt64() : defaults.From,
            To = e.TryGetProperty("to", out JsonElement to) ? to.GetInt64() : defaults.To ?? throw new FormatException($"{name} has no to"),
            Rank = e.TryGetProperty("rank", out JsonElement rank) ? rank.GetInt32() : defaults.Rank ?? throw new FormatException($"{name} has no rank"),
            WorldSize = e.TryGetProperty("worldSize", out JsonElement world) ? world.GetInt32() : defaults.WorldSize,
            Count = e.GetProperty("count").GetInt64(),
            Sum = ulong.Parse(e.GetProperty("sum").GetString() ?? "", NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
        };
        return ledger.Epoch < 0 || ledger.Generation < 1 || ledger.From < 0 || ledger.To < ledger.From || ledger.Rank < 0 || ledger.WorldSize <= ledger.Rank || ledger.Count < 0
            ? throw new FormatException($"{name} has a count out of range")
            : ledger;
    }

    /// <summary>What a serialized ledger leaves out; a null member has no default and is always written.</summary>
    /// <param name="Epoch">The epoch: the state's for its ledger, the one before for its previous ledger.</param>
    /// <param name="Generation">The state's dataset generation.</param>
    /// <param name="From">The first position: 0.</param>
    /// <param name="To">The end: the state's position for its ledger; none for the previous ledger.</param>
    /// <param name="Rank">The rank: none for the state's ledger, that ledger's for the previous one.</param>
    /// <param name="WorldSize">The world size: the state's, or the state's ledger's for the previous one.</param>
    internal readonly record struct Defaults(int Epoch, int? Generation, long From, long? To, int? Rank, int WorldSize);
}
