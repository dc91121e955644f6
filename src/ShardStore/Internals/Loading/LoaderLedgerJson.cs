using System.Globalization;
using System.Text.Json;

namespace ShardStore.Internals.Loading;

/// <summary>A <see cref="LoaderLedger"/> as a member of a serialized <see cref="LoaderState"/>.</summary>
internal static class LoaderLedgerJson
{
    public static void Write(Utf8JsonWriter w, string name, LoaderLedger? ledger)
    {
        if (ledger is null)
        {
            return;
        }

        w.WriteStartObject(name);
        w.WriteNumber("epoch", ledger.Epoch);
        if (ledger.Generation is { } generation)
        {
            w.WriteNumber("generation", generation);
        }

        w.WriteNumber("from", ledger.From);
        w.WriteNumber("to", ledger.To);
        w.WriteNumber("rank", ledger.Rank);
        w.WriteNumber("worldSize", ledger.WorldSize);
        w.WriteNumber("count", ledger.Count);
        w.WriteString("sum", ledger.Sum.ToString("x16", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    /// <exception cref="FormatException">A member is missing or out of range.</exception>
    public static LoaderLedger? Read(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out JsonElement e))
        {
            return null;
        }

        var ledger = new LoaderLedger
        {
            Epoch = e.GetProperty("epoch").GetInt32(),
            Generation = e.TryGetProperty("generation", out JsonElement g) ? g.GetInt32() : null,
            From = e.GetProperty("from").GetInt64(),
            To = e.GetProperty("to").GetInt64(),
            Rank = e.GetProperty("rank").GetInt32(),
            WorldSize = e.GetProperty("worldSize").GetInt32(),
            Count = e.GetProperty("count").GetInt64(),
            Sum = ulong.Parse(e.GetProperty("sum").GetString() ?? "", NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture),
        };
        return ledger.Epoch < 0 || ledger.Generation < 1 || ledger.From < 0 || ledger.To < ledger.From || ledger.Rank < 0 || ledger.WorldSize <= ledger.Rank || ledger.Count < 0
            ? throw new FormatException($"{name} has a count out of range")
            : ledger;
    }
}
