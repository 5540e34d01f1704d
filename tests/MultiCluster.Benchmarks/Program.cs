using MultiCluster.Benchmarks;

switch (args.FirstOrDefault())
{
    case "emulator":
        return await EmulatorBenchmark.RunAsync();
    default:
        Console.WriteLine("usage: MultiCluster.Benchmarks emulator");
        return 2;
}
