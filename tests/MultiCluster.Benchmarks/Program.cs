using MultiCluster.Benchmarks;

// Each benchmark prints its figures (README "Performance"); none is a pass/fail timing test.
switch (args.FirstOrDefault())
{
    case "emulator":
        return await EmulatorBenchmark.RunAsync();
    case "import":
        return await ModuleBenchmark.ImportAsync();
    case "health":
        return await ModuleBenchmark.HealthAsync();
    case "apply":
        return await ModuleBenchmark.ApplyAsync(latencyMs: args.Length > 1 ? int.Parse(args[1]) : 20, withKubectl: !args.Contains("no-kubectl"));
    case "faults":
        return await FaultBenchmark.RunAsync();
    case "scale":
        return await ScaleBenchmark.RunAsync(args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToList() : [50, 500], baselineManifest: args.ElementAtOrDefault(2));
    case "connections": // scale's child: the bare .NET floor under its figure (ConnectionFloor)
        return await ConnectionFloor.RunChildAsync(args[1], int.Parse(args[2]), int.Parse(args[3]), args[4]);
    case "all":
        var failed = 0;
        failed += await EmulatorBenchmark.RunAsync();
        failed += await ModuleBenchmark.ImportAsync();
        failed += await ModuleBenchmark.HealthAsync();
        failed += await ModuleBenchmark.ApplyAsync();
        failed += await FaultBenchmark.RunAsync();
        return failed == 0 ? 0 : 1;
    default:
        Console.WriteLine("usage: MultiCluster.Benchmarks emulator|import|health|apply [latency-ms] [no-kubectl]|scale [clusters,...] [baseline MultiCluster.psd1]|faults|all");
        return 2;
}
