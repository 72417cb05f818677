import { TokensPage } from "../../../features/tokens";

export default function Page(): React.ReactNode {
  return <TokensPage />;
}
