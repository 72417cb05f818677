import { OverviewPage } from "../../features/overview";

export default function Page(): React.ReactNode {
  return <OverviewPage />;
}
